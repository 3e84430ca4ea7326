import { useState } from 'react';
import { VolumeName } from '@berth/common/contract';
import { errorMessage, getAppApi } from '../../app-api';
import { useAppStore } from '../../stores/app-store';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';

export function CreateVolumeDialog({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const refreshVolumes = useAppStore((state) => state.refreshVolumes);
  const submit = async (): Promise<void> => {
    const trimmed = name.trim();
    if (trimmed !== '') {
      const parsed = VolumeName.safeParse(trimmed);
      if (!parsed.success) return setError(parsed.error.issues[0]?.message ?? 'invalid name');
    }
    setBusy(true);
    try {
      await getAppApi().volumes.create(trimmed === '' ? {} : { name: trimmed });
      void refreshVolumes();
      onClose();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title="Create a volume"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" icon="plus" type="submit" form="volume-form" busy={busy}>
            Create
          </Button>
        </>
      }
    >
      <form
        id="volume-form"
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label className="field">
          <span>Name</span>
          <input
            autoFocus
            value={name}
            onChange={(event) => setName(event.target.value)}
            placeholder="Leave empty for a generated name"
            aria-invalid={error !== undefined}
            spellCheck={false}
          />
          {error !== undefined && (
            <span className="field-error" role="alert">
              {error}
            </span>
          )}
        </label>
      </form>
    </Dialog>
  );
}
