import type { MediaRecord } from "@/lib/protocol";

/** Photos (shown) and other files (linked), each only once its upload arrived whole. */
export function MediaGallery({ title, media }: { title: string; media: MediaRecord[] }) {
  return (
    <div className="rounded-xl bg-white p-3 ring-1 ring-slate-200">
      <h3 className="mb-2 text-sm font-semibold">{title}</h3>
      {media.length === 0 ? <p className="text-sm text-slate-600">None.</p> : null}
      <ul className="grid grid-cols-2 gap-2 sm:grid-cols-3">
        {media.map((m) => (
          <li key={m.id}>
            {m.mimeType.startsWith("image/") && m.mimeType !== "image/heic" ? (
              <a href={m.url} target="_blank" rel="noreferrer">
                {/* biome-ignore lint/performance/noImgElement: authenticated API bytes, not optimisable static images */}
                <img
                  src={m.url}
                  alt={m.filename}
                  loading="lazy"
                  className="aspect-square w-full rounded-lg object-cover ring-1 ring-slate-200"
                />
              </a>
            ) : (
              <a href={m.url} target="_blank" rel="noreferrer" className="text-sm text-brand-700 underline">
                {m.filename}
              </a>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
