"use client";
import { DevicesHealth } from "@/components/dashboard/devices-health";

export default function DevicesPage() {
  return <DevicesHealth />;
}
