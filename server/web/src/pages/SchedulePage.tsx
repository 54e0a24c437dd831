// The shift schedule: rows of date, shift, people, support and chemicals;
// edited in place and saved as a whole.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Beamtime, ScheduleRowInput } from "../api/types";
import { ErrorText } from "../components/ErrorText";
import { useLoad } from "../components/useLoad";
import { scheduleProblems } from "../lib/schedule";

export function SchedulePage(props: { beamtime: Beamtime }) {
  const bt = props.beamtime.id;
  const data = useLoad(async () => ({ schedule: await api.schedule(bt), chemicals: (await api.chemicals(bt)).chemicals }), [bt]);
  const [rows, setRows] = useState<ScheduleRowInput[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    if (data.data) setRows(data.data.schedule.map(({ users, date, shift, comment, td_support, chemicals }) => ({ users, date, shift, comment, td_support, chemicals })));
  }, [data.data]);
  const set = (i: number, patch: Partial<ScheduleRowInput>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const add = () => {
    const last = rows[rows.length - 1];
    setRows([...rows, { users: "", date: last?.date ?? new Date().toISOString().slice(0, 10), shift: "08:00-16:00", comment: "", td_support: "", chemicals: [] }]);
  };
  const save = async (e: Event) => {
    e.preventDefault();
    const found = scheduleProblems(rows);
    setProblems(found);
    if (found.length > 0) return;
    try {
      const saved = await api.saveSchedule(bt, rows);
      setError(null);
      setNotice(`Saved ${saved.length} shift${saved.length === 1 ? "" : "s"}.`);
      await data.reload();
    } catch (err) {
      setError(err);
    }
  };
  const chemicals = data.data?.chemicals ?? [];
  return (
    <form onSubmit={save} aria-label="Schedule">
      <div class="page-head">
        <h1>Schedule</h1>
        <button type="button" class="secondary" onClick={add}>
          Add shift
        </button>
        <button type="submit">Save schedule</button>
      </div>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorText error={data.error ?? error} />
      {problems.length > 0 && (
        <ul class="error" role="alert">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {rows.length === 0 ? (
        <p class="muted">No shifts scheduled.</p>
      ) : (
        <table class="list edit">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Shift (HH:MM-HH:MM)</th>
              <th scope="col">People</th>
              <th scope="col">Support</th>
              <th scope="col">Chemicals</th>
              <th scope="col">Comment</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                <td>
                  <input type="date" aria-label={`Date of shift ${i + 1}`} value={r.date} onInput={(e) => set(i, { date: (e.target as HTMLInputElement).value })} />
                </td>
                <td>
                  <input type="text" aria-label={`Shift ${i + 1}`} value={r.shift} size={11} onInput={(e) => set(i, { shift: (e.target as HTMLInputElement).value })} />
                </td>
                <td>
                  <input type="text" aria-label={`People on shift ${i + 1}`} value={r.users} onInput={(e) => set(i, { users: (e.target as HTMLInputElement).value })} />
                </td>
                <td>
                  <input type="text" aria-label={`Support on shift ${i + 1}`} value={r.td_support} onInput={(e) => set(i, { td_support: (e.target as HTMLInputElement).value })} />
                </td>
                <td>
                  <select
                    multiple
                    aria-label={`Chemicals of shift ${i + 1}`}
                    size={Math.min(4, Math.max(2, chemicals.length))}
                    onChange={(e) => set(i, { chemicals: Array.from((e.target as HTMLSelectElement).selectedOptions).map((o) => Number(o.value)) })}
                  >
                    {chemicals.map((c) => (
                      <option key={c.id} value={c.id} selected={r.chemicals.includes(c.id)}>
                        {c.name}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <input type="text" aria-label={`Comment on shift ${i + 1}`} value={r.comment} onInput={(e) => set(i, { comment: (e.target as HTMLInputElement).value })} />
                </td>
                <td>
                  <button type="button" class="link danger" onClick={() => setRows(rows.filter((_, j) => j !== i))} aria-label={`Remove shift ${i + 1}`}>
                    remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </form>
  );
}
