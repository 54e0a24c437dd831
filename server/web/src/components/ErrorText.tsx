// An error worded by errorMessage(), announced to screen readers.
import { errorMessage } from "../api/errors";

export function ErrorText(props: { error: unknown; id?: string }) {
  if (props.error === null || props.error === undefined) return null;
  return (
    <p class="error" role="alert" id={props.id}>
      {errorMessage(props.error)}
    </p>
  );
}
