// Type-to-search over the chemicals of other beamtimes (for copying one).
import type { Beamtime, Chemical, ReadAllChemicals } from "../api/types";

export interface ChemicalMatch {
  chemical: Chemical;
  beamtime: Beamtime | undefined;
}

/**
 * Chemicals of beamtimes other than `beamtimeId` whose name contains every
 * word of the query (case-insensitive); names starting with the query first.
 */
export function searchChemicals(all: ReadAllChemicals, beamtimeId: number, query: string, limit = 20): ChemicalMatch[] {
  const q = query.trim().toLowerCase();
  if (q === "") return [];
  const words = q.split(/\s+/);
  const beamtimes = new Map(all.beamtimes.map((b) => [b.id, b]));
  return all.chemicals
    .filter((c) => c.beamtime_id !== beamtimeId && words.every((w) => c.name.toLowerCase().includes(w)))
    .map((c, i) => ({ c, i, prefix: c.name.toLowerCase().startsWith(q) ? 0 : 1 }))
    .sort((a, b) => a.prefix - b.prefix || a.i - b.i)
    .slice(0, limit)
    .map(({ c }) => ({ chemical: c, beamtime: beamtimes.get(c.beamtime_id) }));
}
