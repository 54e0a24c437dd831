// The checks the server makes on schedule rows (spec api-core.md §5.8),
// made before sending so that every problem is listed at once.
import type { ScheduleRowInput } from "../api/types";

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^(\d{1,2}):(\d{2})$/;

function validTime(t: string): boolean {
  const m = TIME.exec(t.trim());
  return m !== null && Number(m[1]) <= 23 && Number(m[2]) <= 59;
}

export function shiftProblem(shift: string): string | null {
  const parts = shift.split("-");
  if (parts.length !== 2 || !parts.every(validTime)) return `“${shift}” is not a shift like 08:00-16:00`;
  return null;
}

export function scheduleProblems(rows: ScheduleRowInput[]): string[] {
  const problems: string[] = [];
  rows.forEach((r, i) => {
    const n = i + 1;
    if (!DATE.test(r.date) || Number.isNaN(Date.parse(`${r.date}T00:00:00Z`))) problems.push(`Shift ${n}: enter a date.`);
    const s = shiftProblem(r.shift);
    if (s) problems.push(`Shift ${n}: ${s}.`);
  });
  return problems;
}
