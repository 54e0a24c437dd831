// Events, newest first: time, level, author, text with links, attachments.
import type { AmarcordEvent } from "../api/types";
import { formatDateTime, formatTime } from "../lib/time";
import { FileList } from "./FileList";

const URL_RE = /(https?:\/\/[^\s<>"]+)/g;

/** The text with http(s) URLs as links (nothing else is interpreted). */
export function Linkified(props: { text: string }) {
  const parts = props.text.split(URL_RE);
  return (
    <>
      {parts.map((p, i) =>
        i % 2 === 1 ? (
          <a key={i} href={p} target="_blank" rel="noopener noreferrer">
            {p}
          </a>
        ) : (
          p
        ),
      )}
    </>
  );
}

export function EventList(props: { events: AmarcordEvent[]; onDelete?: (e: AmarcordEvent) => void; timeOnly?: boolean }) {
  if (props.events.length === 0) return <p class="muted">No events.</p>;
  return (
    <ol class="events">
      {props.events.map((e) => (
        <li key={e.id} class={`event level-${e.level}`}>
          <time dateTime={new Date(e.created).toISOString()} title={formatDateTime(e.created_local)}>
            {props.timeOnly ? formatTime(e.created_local) : formatDateTime(e.created_local)}
          </time>
          {e.level !== "user" && <span class={`badge ${e.level}`}>{e.level}</span>}
          <span class="source">{e.source}</span>
          <span class="text">
            <Linkified text={e.text} />
          </span>
          {props.onDelete && (
            <button type="button" class="link danger" onClick={() => props.onDelete!(e)} aria-label={`Delete event ${e.id}`}>
              delete
            </button>
          )}
          <FileList files={e.files} />
        </li>
      ))}
    </ol>
  );
}
