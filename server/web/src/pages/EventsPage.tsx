// The event log: every level, filtered by date, with attachments; post
// and delete events.
import { useState } from "preact/hooks";
import { api } from "../api/client";
import type { AmarcordEvent, Beamtime } from "../api/types";
import { ErrorText } from "../components/ErrorText";
import { EventForm } from "../components/EventForm";
import { EventList } from "../components/EventList";
import { useLoad } from "../components/useLoad";
import { utcDate } from "../lib/time";

export function EventsPage(props: { beamtime: Beamtime }) {
  const bt = props.beamtime.id;
  const events = useLoad(() => api.events(bt), [bt]);
  const [date, setDate] = useState("");
  const [level, setLevel] = useState("");
  const [error, setError] = useState<unknown>(null);
  const remove = async (e: AmarcordEvent) => {
    if (!window.confirm(`Delete the event “${e.text.slice(0, 80)}”?`)) return;
    try {
      await api.deleteEvent(e.id);
      setError(null);
      await events.reload();
    } catch (err) {
      setError(err);
    }
  };
  // The server's filter_dates are UTC dates of `created`; match them the same way.
  const shown = (events.data?.events ?? []).filter(
    (e) => (date === "" || utcDate(e.created) === date) && (level === "" || e.level === level),
  );
  return (
    <section>
      <div class="page-head">
        <h1>Events</h1>
      </div>
      <div class="card">
        <EventForm beamtimeId={bt} hasLiveImage={true} onPosted={() => void events.reload()} />
      </div>
      <div class="toolbar">
        <label>
          Date{" "}
          <select name="event-date" value={date} onChange={(e) => setDate((e.target as HTMLSelectElement).value)}>
            <option value="">all dates</option>
            {(events.data?.filter_dates ?? []).map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <label>
          Level{" "}
          <select name="event-level" value={level} onChange={(e) => setLevel((e.target as HTMLSelectElement).value)}>
            <option value="">all</option>
            <option value="user">user</option>
            <option value="info">info</option>
            <option value="warning">warning</option>
            <option value="error">error</option>
          </select>
        </label>
        <span class="muted" role="status">
          {events.data ? `${shown.length} event${shown.length === 1 ? "" : "s"}` : "loading…"}
        </span>
      </div>
      <ErrorText error={events.error ?? error} />
      {events.data && <EventList events={shown} onDelete={remove} />}
    </section>
  );
}
