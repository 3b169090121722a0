import { count, notesQuestion } from "./common-questions";
import type { FormDefinition } from "./types";

export const populationForm: FormDefinition = {
  id: "POPULATION",
  title: "Population",
  sections: [
    {
      title: "Population",
      questions: [
        count("households", "Households", { required: true }),
        count("individuals", "Individuals", { required: true }),
        count("newArrivals7Days", "New arrivals in the last 7 days", { required: true, help: "Individuals." }),
      ],
    },
    {
      title: "Vulnerable groups",
      questions: [
        count("femaleHeadedHouseholds", "Female-headed households"),
        count("under5", "Children under 5"),
        count("elderly", "Older people (60+)"),
        count("disabled", "Persons with disabilities"),
        count("pregnantLactatingWomen", "Pregnant and lactating women"),
        count("separatedChildren", "Unaccompanied or separated children"),
      ],
    },
    { title: "Notes", questions: [notesQuestion] },
  ],
};
