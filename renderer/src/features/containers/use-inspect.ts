import { useEffect, useState } from 'react';
import type { ContainerDetails } from '@berth/common/contract';
import { errorMessage, getAppApi } from '../../app-api';

/** The container's inspect JSON, fetched again whenever `version` (state + status) changes. */
export function useContainerInspect(containerId: string, version: string) {
  const [details, setDetails] = useState<ContainerDetails>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    getAppApi()
      .containers.inspect({ id: containerId })
      .then((value) => {
        if (!live) return;
        setDetails(value);
        setError(undefined);
      })
      .catch((failure: unknown) => live && setError(errorMessage(failure)));
    return () => {
      live = false;
    };
  }, [containerId, version]);
  return { details, error };
}
