import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { ServiceWorkerRegistration } from "@/components/pwa/service-worker-registration";
import "./globals.css";
import { Providers } from "./providers";

export const metadata: Metadata = {
  title: "Field Sync",
  description: "Offline-first rapid assessments and aid response tracking",
  applicationName: "Field Sync",
  // The web manifest comes from app/manifest.ts; iOS reads the home-screen icon from here.
  icons: { apple: [{ url: "/icons/apple-touch-icon.png", sizes: "180x180", type: "image/png" }] },
  appleWebApp: { capable: true, title: "Field Sync", statusBarStyle: "default" },
};

export const viewport: Viewport = { themeColor: "#155ea6", width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
        <ServiceWorkerRegistration />
      </body>
    </html>
  );
}
