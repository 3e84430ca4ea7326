import { useEffect, useState } from 'react';
import type { ContainerDetails } from '@berth/common/contract';
import { errorMessage, getAppApi } from '../../app-api';
import { Button } from '../../ui/Button';
import { ErrorBanner } from '../../ui/Page';

export function InspectView({ containerId, version }: { containerId: string; version: string }) {
  const [details, setDetails] = useState<ContainerDetails>();
  const [error, setError] = useState<string>();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    let live = true;
    getAppApi()
      .containers.inspect({ id: containerId })
      .then((value) => live && (setDetails(value), setError(undefined)))
      .catch((failure: unknown) => live && setError(errorMessage(failure)));
    return () => {
      live = false;
    };
  }, [containerId, version]);
  if (error !== undefined) return <ErrorBanner title="Could not inspect the container" message={error} />;
  if (details === undefined) return <p className="muted pad">Loading…</p>;
  const json = JSON.stringify(details.raw, null, 2);
  return (
    <div className="inspect">
      <div className="toolbar">
        <span className="muted">Raw engine JSON ({(json.length / 1024).toFixed(1)} KB)</span>
        <Button
          variant="ghost"
          onClick={() => {
            void navigator.clipboard?.writeText(json).then(() => {
              setCopied(true);
              setTimeout(() => setCopied(false), 1500);
            });
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <pre className="json" data-testid="inspect-json">
        {json}
      </pre>
    </div>
  );
}
