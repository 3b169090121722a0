import { count, notesQuestion } from "./common-questions";
import type { FormDefinition } from "./types";

/** Shared by every response type; `items` must hold at least one row to deliver. */
export const responseForm: FormDefinition = {
  id: "RESPONSE",
  title: "Response",
  sections: [
    {
      title: "Delivery",
      questions: [
        {
          id: "items",
          label: "Items",
          help: "One row per item delivered (or planned).",
          kind: "items",
          required: true,
          maxItems: 100,
          itemFields: [
            { id: "name", label: "Item", kind: "text", required: true, maxLength: 200 },
            { id: "quantity", label: "Quantity", kind: "int", required: true, min: 1 },
            { id: "unit", label: "Unit", help: "e.g. kg, bags, kits", kind: "text", required: true, maxLength: 50 },
          ],
        },
        count("beneficiaries", "Beneficiaries (individuals)", { required: true }),
        { id: "deliveryDate", label: "Delivery date", kind: "date", required: false },
      ],
    },
    { title: "Notes", questions: [notesQuestion] },
  ],
};
