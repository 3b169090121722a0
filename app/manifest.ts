import type { MetadataRoute } from "next";

/** The web app manifest, served as /manifest.webmanifest (installable: issue #9 "Installable"). */
export default function manifest(): MetadataRoute.Manifest {
  return {
    id: "/",
    name: "Field Sync",
    short_name: "Field Sync",
    description: "Offline-first rapid assessments and aid response tracking for disaster response teams",
    start_url: "/",
    scope: "/",
    display: "standalone",
    orientation: "any",
    theme_color: "#155ea6",
    background_color: "#ffffff",
    categories: ["productivity", "utilities"],
    icons: [
      { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "/icons/icon-maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
    ],
  };
}
