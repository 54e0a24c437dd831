// Attachments: images as thumbnails linking to the full picture, other
// files as download links with their size.
import { fileUrl } from "../api/client";
import type { FileOutput } from "../api/types";

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function FileList(props: { files: FileOutput[]; onRemove?: (id: number) => void }) {
  if (props.files.length === 0) return null;
  return (
    <ul class="files">
      {props.files.map((f) => (
        <li key={f.id} class={f.type_.startsWith("image/") ? "file image" : "file"}>
          {f.type_.startsWith("image/") ? (
            <a href={fileUrl(f.id)} target="_blank" rel="noopener" title={f.file_name}>
              <img src={fileUrl(f.id)} alt={f.description || f.file_name} loading="lazy" class="thumbnail" />
            </a>
          ) : (
            <a href={fileUrl(f.id)} target="_blank" rel="noopener">
              {f.file_name}
            </a>
          )}
          <span class="muted"> {formatBytes(f.size_in_bytes)}</span>
          {props.onRemove && (
            <button type="button" class="link" onClick={() => props.onRemove!(f.id)} aria-label={`Remove ${f.file_name}`}>
              remove
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
