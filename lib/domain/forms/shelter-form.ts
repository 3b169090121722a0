import { count, notesQuestion } from "./common-questions";
import type { FormDefinition } from "./types";

export const shelterForm: FormDefinition = {
  id: "SHELTER",
  title: "Shelter",
  sections: [
    {
      title: "Shelter situation",
      questions: [
        count("householdsWithoutShelter", "Households without shelter", { required: true }),
        count("damagedShelters", "Damaged shelters", { required: true }),
        count("collectiveCentres", "Collective centres in use", {
          help: "Schools, churches, mosques or public buildings hosting displaced people.",
        }),
        {
          id: "shelterTypes",
          label: "Types of shelter in use",
          kind: "multiselect",
          required: false,
          options: [
            { value: "TENTS", label: "Tents" },
            { value: "MAKESHIFT", label: "Makeshift shelters" },
            { value: "COLLECTIVE_CENTRE", label: "Collective centres" },
            { value: "HOST_FAMILY", label: "Host families" },
            { value: "DAMAGED_HOMES", label: "Damaged homes" },
            { value: "OPEN_AIR", label: "Open air" },
          ],
        },
      ],
    },
    {
      title: "Non-food items",
      questions: [
        {
          id: "nfiNeeded",
          label: "Non-food items most needed",
          kind: "multiselect",
          required: false,
          options: [
            { value: "TARPAULINS", label: "Tarpaulins" },
            { value: "BLANKETS", label: "Blankets" },
            { value: "SLEEPING_MATS", label: "Sleeping mats" },
            { value: "MOSQUITO_NETS", label: "Mosquito nets" },
            { value: "KITCHEN_SETS", label: "Kitchen sets" },
            { value: "JERRYCANS", label: "Jerrycans" },
            { value: "SOLAR_LAMPS", label: "Solar lamps" },
          ],
        },
      ],
    },
    { title: "Notes", questions: [notesQuestion] },
  ],
};
