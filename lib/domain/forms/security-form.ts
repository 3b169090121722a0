import { count, notesQuestion, yesNo } from "./common-questions";
import type { FormDefinition } from "./types";

export const securityForm: FormDefinition = {
  id: "SECURITY",
  title: "Security and protection",
  sections: [
    {
      title: "Security",
      questions: [
        count("incidentsLast7Days", "Security incidents in the last 7 days", { required: true }),
        yesNo("accessRestricted", "Humanitarian access restricted", { required: true }),
        yesNo("armedPresence", "Armed actors present"),
        yesNo("safeAccessRoutes", "Safe access routes available"),
      ],
    },
    {
      title: "Protection",
      questions: [
        count("gbvIncidentsReported", "Gender-based violence incidents reported", {
          help: "Counts only; never record names or identifying details.",
        }),
      ],
    },
    { title: "Notes", questions: [notesQuestion] },
  ],
};
