// The run filter: the text, and the server's complaint about it shown right
// below with the offending token marked (and selected in the box).
import { useEffect, useRef } from "preact/hooks";
import type { FilterErrorPosition } from "../lib/filter";

export function FilterBox(props: {
  value: string;
  onInput: (v: string) => void;
  onApply: () => void;
  error: FilterErrorPosition | null;
  /** The text the error is about (the box may have changed since). */
  errorText: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  const err = props.error;
  useEffect(() => {
    if (err && input.current && props.value === props.errorText) {
      input.current.focus();
      input.current.setSelectionRange(err.start, Math.max(err.end, err.start));
    }
  }, [err]);
  const t = props.errorText;
  return (
    <form
      class="filter-box"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        props.onApply();
      }}
    >
      <label for="run-filter">Filter</label>
      <input
        ref={input}
        id="run-filter"
        name="filter"
        type="text"
        class="mono"
        spellcheck={false}
        autoComplete="off"
        placeholder='e.g. id > 100 and sample == "lysozyme"'
        value={props.value}
        aria-invalid={err ? true : undefined}
        aria-describedby={err ? "run-filter-error" : undefined}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
      />
      <button type="submit">Apply</button>
      {err && (
        <div id="run-filter-error" class="filter-error" role="alert">
          <pre class="mono" aria-hidden="true">
            {t.slice(0, err.start)}
            <mark>{err.end > err.start ? t.slice(err.start, err.end) : " "}</mark>
            {t.slice(Math.max(err.end, err.start))}
            {"\n"}
            {" ".repeat(Array.from(t.slice(0, err.start)).length)}^
          </pre>
          <span class="error">{err.message}</span>
        </div>
      )}
    </form>
  );
}
