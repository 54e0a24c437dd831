// Posts a user event: a text, optionally the current camera image frozen as
// a snapshot, and attached files (uploaded first, then linked by id).
import { useState } from "preact/hooks";
import { api } from "../api/client";
import { ErrorText } from "./ErrorText";
import { FileDrop } from "./FileDrop";

const SOURCE_KEY = "amarcord.event.source";

function storedSource(): string {
  try {
    return localStorage.getItem(SOURCE_KEY) ?? "";
  } catch {
    return "";
  }
}

export function EventForm(props: { beamtimeId: number; hasLiveImage: boolean; onPosted: () => void }) {
  const [text, setText] = useState("");
  const [source, setSource] = useState(storedSource);
  const [snapshot, setSnapshot] = useState(false);
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (text.trim() === "" && files.length === 0 && !snapshot) return;
    setBusy(true);
    setError(null);
    try {
      const ids: number[] = [];
      for (const f of files) ids.push((await api.uploadFile(f, f.name)).id);
      const name = source.trim() || "user";
      await api.createEvent(props.beamtimeId, {
        source: name,
        text: text.trim(),
        level: "user",
        fileIds: ids,
        withLiveStream: snapshot,
      });
      try {
        localStorage.setItem(SOURCE_KEY, source.trim());
      } catch {
        // Not remembered; harmless.
      }
      setText("");
      setFiles([]);
      setSnapshot(false);
      props.onPosted();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="event-form" onSubmit={submit} aria-label="Post an event">
      <div class="row">
        <label class="grow">
          <span class="sr-only">Event text</span>
          <input
            type="text"
            name="event-text"
            placeholder="What happened? (Enter posts)"
            value={text}
            onInput={(e) => setText((e.target as HTMLInputElement).value)}
          />
        </label>
        <label class="source">
          <span class="sr-only">Your name</span>
          <input
            type="text"
            name="event-source"
            placeholder="your name"
            value={source}
            onInput={(e) => setSource((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? "Posting…" : "Post"}
        </button>
      </div>
      <div class="row">
        <label class="checkbox" title={props.hasLiveImage ? "" : "no camera image yet"}>
          <input
            type="checkbox"
            name="snapshot"
            checked={snapshot}
            onChange={(e) => setSnapshot((e.target as HTMLInputElement).checked)}
          />{" "}
          attach camera snapshot
        </label>
        <FileDrop files={files} onChange={setFiles} />
      </div>
      <ErrorText error={error} />
    </form>
  );
}
