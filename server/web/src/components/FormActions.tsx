// The foot of every create/edit form: submit, cancel, the form's own
// complaint (checked before sending) and the server's error.
import { ErrorText } from "./ErrorText";

export function FormActions(props: {
  submitLabel: string;
  disabled?: boolean;
  onCancel: () => void;
  /** What the form found wrong before sending, if anything. */
  problem?: string | null;
  /** The server's answer to the last attempt, if it failed. */
  error: unknown;
}) {
  return (
    <>
      <div class="span-all actions">
        <button type="submit" disabled={props.disabled}>
          {props.submitLabel}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
        {props.problem && (
          <span class="error" role="alert">
            {props.problem}
          </span>
        )}
      </div>
      <div class="span-all">
        <ErrorText error={props.error} />
      </div>
    </>
  );
}
