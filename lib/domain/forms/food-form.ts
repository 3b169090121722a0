import { count, notesQuestion, yesNo } from "./common-questions";
import type { FormDefinition } from "./types";

export const foodForm: FormDefinition = {
  id: "FOOD",
  title: "Food security",
  sections: [
    {
      title: "Food security",
      questions: [
        count("householdsFoodInsecure", "Food-insecure households", { required: true }),
        count("mealsPerDay", "Meals per day (typical household)", { max: 10 }),
        {
          id: "mainFoodSource",
          label: "Main food source",
          kind: "select",
          required: false,
          options: [
            { value: "MARKET", label: "Market purchase" },
            { value: "OWN_PRODUCTION", label: "Own production" },
            { value: "AID", label: "Food assistance" },
            { value: "HOST_COMMUNITY", label: "Host community" },
            { value: "OTHER", label: "Other" },
          ],
        },
        {
          id: "lastDistributionDate",
          label: "Date of last food distribution",
          help: "Leave empty if there has been none.",
          kind: "date",
          required: false,
        },
      ],
    },
    {
      title: "Markets",
      questions: [
        yesNo("marketFunctional", "Market functional and reachable"),
        {
          id: "priceIncreasePercent",
          label: "Staple food price increase since the crisis",
          kind: "number",
          required: false,
          min: 0,
          max: 1000,
          unit: "%",
        },
      ],
    },
    { title: "Notes", questions: [notesQuestion] },
  ],
};
