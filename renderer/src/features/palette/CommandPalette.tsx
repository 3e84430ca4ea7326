import { useEffect, useMemo, useRef, useState } from 'react';
import { useAppStore } from '../../stores/app-store';
import { Icon } from '../../ui/Icon';
import { buildCommands, rankCommands, type GlobalDialog } from './palette-commands';

/** Ctrl/Cmd+K: every action by name. Arrows move, Enter runs (twice for destructive ones), Escape closes. */
export function CommandPalette({
  onClose,
  onOpenDialog,
}: {
  onClose: () => void;
  onOpenDialog: (dialog: GlobalDialog, image?: string) => void;
}) {
  const containers = useAppStore((state) => state.containers.items);
  const images = useAppStore((state) => state.images.items);
  const runAction = useAppStore((state) => state.runContainerAction);
  const theme = useAppStore((state) => state.theme);
  const setTheme = useAppStore((state) => state.setTheme);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [armed, setArmed] = useState<string>();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const listRef = useRef<HTMLUListElement>(null);

  const commands = useMemo(
    () =>
      buildCommands({
        containers: Object.values(containers),
        images,
        go: (hash) => {
          location.hash = hash;
        },
        open: onOpenDialog,
        containerAction: (id, action) => {
          const state = containers[id]?.state;
          void runAction(id, action, { force: action === 'remove' && (state === 'running' || state === 'paused') });
        },
        toggleTheme: () => setTheme(theme === 'dark' ? 'light' : 'dark'),
      }),
    [containers, images, onOpenDialog, runAction, setTheme, theme],
  );
  const results = useMemo(() => rankCommands(commands, query), [commands, query]);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog !== null && !dialog.open && typeof dialog.showModal === 'function') dialog.showModal();
    return () => dialog?.close();
  }, []);
  useEffect(() => {
    setActive(0);
    setArmed(undefined);
  }, [query]);
  useEffect(() => {
    listRef.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const execute = (index: number): void => {
    const command = results[index];
    if (command === undefined) return;
    if (command.destructive === true && armed !== command.id) {
      setArmed(command.id);
      return;
    }
    onClose();
    command.run();
  };

  return (
    <dialog
      ref={dialogRef}
      className="dialog palette"
      aria-label="Command palette"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        if (event.target === dialogRef.current) onClose();
      }}
    >
      <div className="palette-input">
        <Icon name="search" />
        <input
          autoFocus
          role="combobox"
          aria-expanded="true"
          aria-controls="palette-results"
          aria-label="Type a command"
          placeholder="Type a command or a container name…"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'ArrowDown') setActive((i) => Math.min(results.length - 1, i + 1));
            else if (event.key === 'ArrowUp') setActive((i) => Math.max(0, i - 1));
            else if (event.key === 'Enter') execute(active);
            else return;
            event.preventDefault();
          }}
        />
        <kbd>Esc</kbd>
      </div>
      <ul id="palette-results" ref={listRef} className="palette-results" role="listbox" aria-label="Commands">
        {results.length === 0 && <li className="palette-empty muted">No matching command</li>}
        {results.map((command, index) => (
          <li
            key={command.id}
            role="option"
            aria-selected={index === active}
            className={`palette-item${index === active ? ' active' : ''}${command.destructive === true ? ' destructive' : ''}`}
            onMouseMove={() => setActive(index)}
            onClick={() => execute(index)}
          >
            <Icon name={command.icon} />
            <span className="palette-title">
              {armed === command.id ? `${command.title}: press Enter again to confirm` : command.title}
            </span>
            <span className="palette-group">{command.group}</span>
          </li>
        ))}
      </ul>
    </dialog>
  );
}
