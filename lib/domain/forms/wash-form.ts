import { count, notesQuestion, yesNo } from "./common-questions";
import type { FormDefinition } from "./types";

export const washForm: FormDefinition = {
  id: "WASH",
  title: "Water, sanitation and hygiene",
  sections: [
    {
      title: "Water",
      questions: [
        {
          id: "waterSource",
          label: "Main water source",
          kind: "select",
          required: true,
          options: [
            { value: "BOREHOLE", label: "Borehole" },
            { value: "WELL", label: "Well" },
            { value: "TANKER", label: "Water trucking (tanker)" },
            { value: "SURFACE", label: "Surface water (river, pond)" },
            { value: "OTHER", label: "Other" },
          ],
        },
        count("functionalBoreholes", "Functional boreholes", { required: true }),
        {
          id: "litresPerPersonPerDay",
          label: "Water available per person per day",
          help: "Estimate; the Sphere minimum is 15 litres.",
          kind: "number",
          required: false,
          min: 0,
          max: 500,
          unit: "L",
        },
        {
          id: "waterTreatment",
          label: "Household water treatment",
          kind: "select",
          required: false,
          options: [
            { value: "NONE", label: "None" },
            { value: "CHLORINATION", label: "Chlorination" },
            { value: "BOILING", label: "Boiling" },
            { value: "FILTRATION", label: "Filtration" },
            { value: "OTHER", label: "Other" },
          ],
        },
      ],
    },
    {
      title: "Sanitation and hygiene",
      questions: [
        count("latrines", "Functional latrines", { required: true }),
        yesNo("openDefecationObserved", "Open defecation observed", { required: true }),
        count("handwashingStations", "Handwashing stations with soap and water"),
      ],
    },
    { title: "Notes", questions: [notesQuestion] },
  ],
};
