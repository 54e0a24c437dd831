// Files to upload: dropped onto the zone or picked with the button (the
// zone is a real button, so it works with the keyboard too).
import { useRef, useState } from "preact/hooks";
import { formatBytes } from "./FileList";

export function FileDrop(props: { files: File[]; onChange: (files: File[]) => void; label?: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const add = (list: FileList | null) => {
    if (list && list.length > 0) props.onChange([...props.files, ...Array.from(list)]);
  };
  return (
    <div class="file-drop-wrap">
      <button
        type="button"
        class={over ? "file-drop over" : "file-drop"}
        onClick={() => input.current?.click()}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          add(e.dataTransfer?.files ?? null);
        }}
      >
        {props.label ?? "Drop files here or click to attach"}
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="file-input"
        onChange={(e) => {
          add((e.target as HTMLInputElement).files);
          (e.target as HTMLInputElement).value = "";
        }}
      />
      {props.files.length > 0 && (
        <ul class="files pending">
          {props.files.map((f, i) => (
            <li key={`${f.name}-${i}`}>
              {f.name} <span class="muted">{formatBytes(f.size)}</span>{" "}
              <button
                type="button"
                class="link"
                aria-label={`Do not attach ${f.name}`}
                onClick={() => props.onChange(props.files.filter((_, j) => j !== i))}
              >
                remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
