import { count, notesQuestion, yesNo } from "./common-questions";
import type { FormDefinition } from "./types";

export const healthForm: FormDefinition = {
  id: "HEALTH",
  title: "Health",
  sections: [
    {
      title: "Facilities and staff",
      questions: [
        count("functionalFacilities", "Functional health facilities", { required: true }),
        count("staffOnDuty", "Health staff on duty", { required: true }),
        yesNo("medicineStockout", "Stock-out of essential medicines", {
          help: "Any essential medicine unavailable in the last 7 days.",
        }),
        count("referralsNeeded", "Patients needing referral", {
          help: "Patients who need care the facilities here cannot give.",
        }),
      ],
    },
    {
      title: "Cases in the last 7 days",
      questions: [
        count("choleraCases", "Suspected cholera cases", { required: true }),
        count("malariaCases", "Malaria cases", { required: true }),
        count("measlesCases", "Suspected measles cases"),
        count("diarrhoeaCasesUnder5", "Diarrhoea cases in children under 5"),
        count("malnutritionCasesUnder5", "Acute malnutrition cases in children under 5"),
        count("deaths", "Deaths (all causes)"),
      ],
    },
    { title: "Notes", questions: [notesQuestion] },
  ],
};
