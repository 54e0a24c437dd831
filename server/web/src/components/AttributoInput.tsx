// The form control for one attributo, chosen by its type: a number field
// with its unit and range, a choice list, yes/no, date and time, a chemical,
// or one list item per line. Problems are shown under the control.
import type { Attributo, Chemical } from "../api/types";
import { attributoKind, describeType, rangeText, unitOf, type InputText } from "../lib/attributo";

export function AttributoInput(props: {
  attributo: Attributo;
  value: InputText;
  onChange: (v: InputText) => void;
  error?: string | null;
  chemicals?: Chemical[];
  idPrefix?: string;
}) {
  const a = props.attributo;
  const id = `${props.idPrefix ?? "attr"}-${a.id}`;
  const errorId = `${id}-error`;
  const kind = attributoKind(a);
  const unit = unitOf(a);
  const common = {
    id,
    name: a.name,
    "aria-invalid": props.error ? true : undefined,
    "aria-describedby": props.error ? errorId : `${id}-hint`,
  };
  const onInput = (e: Event) => props.onChange((e.target as HTMLInputElement).value);
  let control;
  switch (kind) {
    case "choice":
      control = (
        <select {...common} value={props.value} onChange={onInput}>
          <option value="">—</option>
          {(a.attributo_type_string?.enum ?? []).map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      );
      break;
    case "boolean":
      control = (
        <select {...common} value={props.value} onChange={onInput}>
          <option value="">—</option>
          <option value="true">yes</option>
          <option value="false">no</option>
        </select>
      );
      break;
    case "chemical":
      control = (
        <select {...common} value={props.value} onChange={onInput}>
          <option value="">—</option>
          {(props.chemicals ?? []).map((c) => (
            <option key={c.id} value={String(c.id)}>
              {c.name}
            </option>
          ))}
        </select>
      );
      break;
    case "datetime":
      control = <input {...common} type="datetime-local" value={props.value} onInput={onInput} />;
      break;
    case "list":
      control = <textarea {...common} rows={3} value={props.value} onInput={onInput} placeholder="one item per line" />;
      break;
    case "decimal": {
      const n = a.attributo_type_number!;
      control = (
        <span class="with-unit">
          <input
            {...common}
            type="text"
            inputMode="decimal"
            value={props.value}
            onInput={onInput}
            placeholder={rangeText(n) ?? ""}
          />
          {unit && <span class="unit">{unit}</span>}
        </span>
      );
      break;
    }
    case "integer":
      control = <input {...common} type="text" inputMode="numeric" value={props.value} onInput={onInput} />;
      break;
    default:
      control = <input {...common} type="text" value={props.value} onInput={onInput} />;
  }
  return (
    <div class="field">
      <label for={id}>{a.name}</label>
      {control}
      <small id={`${id}-hint`} class="muted">
        {describeType(a)}
        {a.description ? ` — ${a.description}` : ""}
      </small>
      {props.error && (
        <small id={errorId} class="error" role="alert">
          {props.error}
        </small>
      )}
    </div>
  );
}
