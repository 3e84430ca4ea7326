import { useMemo, useState } from 'react';
import type { RestartPolicyName } from '@berth/common/contract';
import { errorMessage, getAppApi } from '../../app-api';
import { navigate } from '../../lib/router';
import { useAppStore } from '../../stores/app-store';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { ErrorBanner } from '../../ui/Page';
import { toRunInput, type RunFormValues } from './run-form';

const restartPolicies: ReadonlyArray<{ value: RestartPolicyName; label: string }> = [
  { value: 'no', label: 'Never' },
  { value: 'on-failure', label: 'On failure' },
  { value: 'unless-stopped', label: 'Unless stopped' },
  { value: 'always', label: 'Always' },
];

/** `docker run -d` as a form: creates and starts the container, then opens its logs. */
export function RunContainerDialog({ image = '', onClose }: { image?: string; onClose: () => void }) {
  const [values, setValues] = useState<RunFormValues>({
    image,
    name: '',
    command: '',
    env: '',
    ports: '',
    volumes: '',
    restartPolicy: 'no',
  });
  const [invalid, setInvalid] = useState<{ field: keyof RunFormValues; message: string }>();
  const [engineError, setEngineError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const refreshContainers = useAppStore((state) => state.refreshContainers);
  const images = useAppStore((state) => state.images.items);
  const imageTags = useMemo(() => images.flatMap((image) => image.repoTags), [images]);

  const set = (field: keyof RunFormValues) => (event: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [field]: event.target.value }));
  const fieldError = (field: keyof RunFormValues) =>
    invalid?.field === field ? <span className="field-error">{invalid.message}</span> : null;

  const submit = async (): Promise<void> => {
    const result = toRunInput(values);
    if (!result.ok) {
      setInvalid({ field: result.field, message: result.message });
      return;
    }
    setInvalid(undefined);
    setEngineError(undefined);
    setBusy(true);
    try {
      const { id } = await getAppApi().containers.run(result.input);
      await refreshContainers([id]);
      onClose();
      navigate({ page: 'container', id, tab: 'logs' });
    } catch (error) {
      setEngineError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title="Run a container"
      wide
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" icon="play" type="submit" form="run-form" busy={busy}>
            Run
          </Button>
        </>
      }
    >
      <form
        id="run-form"
        className="form form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label className="field field-span">
          <span>Image</span>
          <input
            value={values.image}
            onChange={set('image')}
            list="run-image-tags"
            placeholder="busybox:latest"
            spellCheck={false}
            autoFocus={image === ''}
            aria-invalid={invalid?.field === 'image'}
          />
          <datalist id="run-image-tags">
            {imageTags.map((tag) => (
              <option key={tag} value={tag} />
            ))}
          </datalist>
          {fieldError('image')}
        </label>
        <label className="field">
          <span>Name</span>
          <input
            value={values.name}
            onChange={set('name')}
            placeholder="generated when empty"
            spellCheck={false}
            autoFocus={image !== ''}
            aria-invalid={invalid?.field === 'name'}
          />
          {fieldError('name')}
        </label>
        <label className="field">
          <span>Restart policy</span>
          <select
            value={values.restartPolicy}
            onChange={(event) => setValues((v) => ({ ...v, restartPolicy: event.target.value as RestartPolicyName }))}
          >
            {restartPolicies.map((policy) => (
              <option key={policy.value} value={policy.value}>
                {policy.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field field-span">
          <span>Command</span>
          <input
            value={values.command}
            onChange={set('command')}
            placeholder="the image's default command when empty, e.g. sh -c 'echo hi'"
            spellCheck={false}
            aria-invalid={invalid?.field === 'command'}
          />
          {fieldError('command')}
        </label>
        <label className="field field-span">
          <span>Ports</span>
          <input
            value={values.ports}
            onChange={set('ports')}
            placeholder="8080:80, 127.0.0.1:5353:53/udp"
            spellCheck={false}
            aria-invalid={invalid?.field === 'ports'}
          />
          {fieldError('ports')}
        </label>
        <label className="field">
          <span>Environment</span>
          <textarea
            value={values.env}
            onChange={set('env')}
            rows={4}
            placeholder={'KEY=value\nOTHER=value'}
            spellCheck={false}
            aria-invalid={invalid?.field === 'env'}
          />
          {fieldError('env')}
        </label>
        <label className="field">
          <span>Volumes</span>
          <textarea
            value={values.volumes}
            onChange={set('volumes')}
            rows={4}
            placeholder={'data:/var/lib/data\n/host/dir:/mnt:ro'}
            spellCheck={false}
            aria-invalid={invalid?.field === 'volumes'}
          />
          {fieldError('volumes')}
        </label>
      </form>
      {engineError !== undefined && <ErrorBanner title="The engine refused" message={engineError} />}
    </Dialog>
  );
}
