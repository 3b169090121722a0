"use client";
import { OutboxList } from "@/components/outbox/outbox-list";

export default function OutboxPage() {
  return <OutboxList />;
}
