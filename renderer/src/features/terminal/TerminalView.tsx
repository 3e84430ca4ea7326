import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal, type ITheme } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { StreamHandle, TerminalSession, TerminalShell } from '@berth/common/contract';
import { errorMessage, getAppApi } from '../../app-api';
import { useAppStore } from '../../stores/app-store';
import { Button } from '../../ui/Button';
import { ErrorBanner } from '../../ui/Page';
import { mirrorInlineStyles } from './csp-styles';
import { createInputQueue } from './input-queue';
import { BLOCKED_OSC, safeLinkUrl, sanitizeTitle } from './terminal-safety';

type Phase = 'idle' | 'opening' | 'attached' | 'exited' | 'failed';

const shells: Array<{ value: TerminalShell; label: string }> = [
  { value: 'auto', label: 'Auto (bash › ash › sh)' },
  { value: 'bash', label: 'bash' },
  { value: 'ash', label: 'ash' },
  { value: 'sh', label: 'sh' },
];

const storageKey = (containerId: string): string => `berth.terminal.${containerId}`;

function readSessionId(containerId: string): string | undefined {
  try {
    return sessionStorage.getItem(storageKey(containerId)) ?? undefined;
  } catch {
    return undefined;
  }
}

function rememberSessionId(containerId: string, id: string | undefined): void {
  try {
    if (id === undefined) sessionStorage.removeItem(storageKey(containerId));
    else sessionStorage.setItem(storageKey(containerId), id);
  } catch {
    // storage may be unavailable
  }
}

function themeFromCss(): ITheme {
  const css = getComputedStyle(document.documentElement);
  const read = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
  return {
    background: read('--log-bg', '#0a0c10'),
    foreground: read('--text', '#e7eaf0'),
    cursor: read('--accent', '#4c8dff'),
    selectionBackground: read('--accent-soft', 'rgba(76,141,255,0.3)'),
  };
}

/** Opens only plain web links, in a new browsing context without an opener. */
function openLink(uri: string): void {
  const url = safeLinkUrl(uri);
  if (url === undefined) return;
  window.open(url.href, '_blank', 'noopener,noreferrer');
}

/**
 * The container's terminal: an engine-side exec session held by the host, shown with xterm.js.
 * Leaving the tab or reloading the page detaches; coming back reattaches to the same shell with
 * its recent output.
 */
export function TerminalView({ containerId, running }: { containerId: string; running: boolean }) {
  const hostRef = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | undefined>(undefined);
  const fitRef = useRef<FitAddon | undefined>(undefined);
  const sessionRef = useRef<string | undefined>(undefined);
  const handleRef = useRef<StreamHandle | undefined>(undefined);
  const replaying = useRef(0);
  const theme = useAppStore((state) => state.theme);
  const [shell, setShell] = useState<TerminalShell>('auto');
  const [user, setUser] = useState('');
  const [session, setSession] = useState<TerminalSession>();
  const [phase, setPhase] = useState<Phase>('idle');
  const [exitCode, setExitCode] = useState<number | null>(null);
  const [error, setError] = useState<string>();
  const [title, setTitle] = useState('');

  const inputQueue = useRef(
    createInputQueue(
      async (data) => {
        const id = sessionRef.current;
        if (id !== undefined) await getAppApi().terminals.input({ id, data });
      },
      (failure) => setError(errorMessage(failure)),
    ),
  );

  const attach = useCallback(
    (target: TerminalSession) => {
      const term = termRef.current;
      if (term === undefined) return;
      handleRef.current?.cancel();
      sessionRef.current = target.id;
      rememberSessionId(containerId, target.id);
      setSession(target);
      setError(undefined);
      setExitCode(null);
      setTitle('');
      setPhase('attached');
      term.reset();
      handleRef.current = getAppApi().terminals.attach(
        { id: target.id },
        {
          onItem: (item) => {
            if (item.type === 'exit') {
              setExitCode(item.exitCode);
              setPhase('exited');
              return;
            }
            if (item.replay) {
              // Replayed output may hold old terminal queries (cursor position...); xterm would
              // answer them again, so its answers are not sent while the replay is written.
              replaying.current++;
              term.write(item.data, () => replaying.current--);
            } else {
              term.write(item.data);
            }
          },
          onEnd: () => setPhase((current) => (current === 'attached' ? 'exited' : current)),
          onError: (failure) => {
            setPhase('failed');
            setError(failure.message);
          },
        },
      );
      // This window's size wins: the pty follows whoever attached last.
      void getAppApi()
        .terminals.resize({ id: target.id, cols: term.cols, rows: term.rows })
        .catch(() => undefined);
      term.focus();
    },
    [containerId],
  );

  const open = useCallback(async () => {
    const term = termRef.current;
    if (term === undefined) return;
    setPhase('opening');
    setError(undefined);
    fitRef.current?.fit();
    try {
      const created = await getAppApi().terminals.open({
        containerId,
        shell,
        user: user.trim(),
        cols: term.cols,
        rows: term.rows,
      });
      attach(created);
    } catch (failure) {
      setPhase('failed');
      setError(errorMessage(failure));
    }
  }, [attach, containerId, shell, user]);

  const endSession = useCallback(async () => {
    const id = sessionRef.current;
    if (id === undefined) return;
    try {
      await getAppApi().terminals.close({ id });
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }, []);

  const copySelection = useCallback(async () => {
    const text = termRef.current?.getSelection() ?? '';
    if (text === '') return;
    try {
      await navigator.clipboard.writeText(text);
    } catch (failure) {
      setError(`Could not copy: ${errorMessage(failure)}`);
    }
  }, []);

  const pasteClipboard = useCallback(async () => {
    try {
      const text = await navigator.clipboard.readText();
      termRef.current?.paste(text);
    } catch (failure) {
      setError(`Could not paste: ${errorMessage(failure)}`);
    }
  }, []);

  // The xterm instance lives as long as the view.
  useEffect(() => {
    const host = hostRef.current;
    if (host === null) return;
    const term = new Terminal({
      cursorBlink: true,
      fontFamily: 'ui-monospace, "JetBrains Mono", "SFMono-Regular", Menlo, Consolas, monospace',
      fontSize: 13,
      scrollback: 5000,
      theme: themeFromCss(),
      // Links in OSC 8 hyperlinks go through the same filter as detected URLs.
      linkHandler: { activate: (_event, uri) => openLink(uri), allowNonHttpProtocols: false },
      // No window manipulation or title reports: a process must not read anything back through them.
      windowOptions: {},
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.loadAddon(new WebLinksAddon((_event, uri) => openLink(uri)));
    for (const osc of BLOCKED_OSC) term.parser.registerOscHandler(osc, () => true);
    term.onTitleChange((value) => setTitle(sanitizeTitle(value)));
    term.onData((data) => {
      if (replaying.current > 0 || sessionRef.current === undefined) return;
      inputQueue.current.push(data);
    });
    term.attachCustomKeyEventHandler((event) => {
      if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) return true;
      if (event.code === 'KeyC') {
        void copySelection();
        return false;
      }
      if (event.code === 'KeyV') {
        void pasteClipboard();
        return false;
      }
      return true;
    });
    term.open(host);
    const stopMirror = mirrorInlineStyles(host);
    termRef.current = term;
    fitRef.current = fit;
    fit.fit();
    let resizeTimer: ReturnType<typeof setTimeout> | undefined;
    term.onResize(({ cols, rows }) => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        const id = sessionRef.current;
        if (id !== undefined)
          void getAppApi()
            .terminals.resize({ id, cols, rows })
            .catch(() => undefined);
      }, 80);
    });
    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => fit.fit());
    });
    observer.observe(host);
    return () => {
      observer.disconnect();
      cancelAnimationFrame(frame);
      clearTimeout(resizeTimer);
      handleRef.current?.cancel();
      handleRef.current = undefined;
      sessionRef.current = undefined;
      stopMirror();
      term.dispose();
      termRef.current = undefined;
    };
  }, [copySelection, pasteClipboard]);

  useEffect(() => {
    if (termRef.current !== undefined) termRef.current.options.theme = themeFromCss();
  }, [theme]);

  // Reattach to the session this tab had (or any running one), else start one.
  useEffect(() => {
    let canceled = false;
    void (async () => {
      try {
        const sessions = await getAppApi().terminals.list({ containerId });
        if (canceled) return;
        const remembered = readSessionId(containerId);
        const live = sessions.filter((s) => s.running);
        const pick = live.find((s) => s.id === remembered) ?? live[live.length - 1];
        if (pick !== undefined) attach(pick);
        else if (running) await open();
      } catch (failure) {
        if (!canceled) {
          setPhase('failed');
          setError(errorMessage(failure));
        }
      }
    })();
    return () => {
      canceled = true;
    };
    // Only on container change: shell/user edits apply to the next "New session".
  }, [containerId]);

  const statusText =
    phase === 'attached'
      ? `Connected · ${session?.shell === 'auto' ? 'auto shell' : (session?.shell ?? '')}${session?.user ? ` · ${session.user}` : ''}`
      : phase === 'opening'
        ? 'Starting shell…'
        : phase === 'exited'
          ? `Session ended${exitCode !== null ? ` (exit ${exitCode})` : ''}`
          : phase === 'failed'
            ? 'Not connected'
            : running
              ? 'No session'
              : 'The container is not running';

  return (
    <div className="terminal-view">
      <div className="toolbar terminal-toolbar">
        <label className="field-inline">
          <span>Shell</span>
          <select aria-label="Shell" value={shell} onChange={(event) => setShell(event.target.value as TerminalShell)}>
            {shells.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field-inline">
          <span>User</span>
          <input
            aria-label="User"
            placeholder="default"
            value={user}
            maxLength={64}
            spellCheck={false}
            onChange={(event) => setUser(event.target.value)}
          />
        </label>
        <Button icon="play" disabled={!running || phase === 'opening'} onClick={() => void open()}>
          New session
        </Button>
        <Button variant="ghost" icon="stop" disabled={phase !== 'attached'} onClick={() => void endSession()}>
          End
        </Button>
        <span className="toolbar-spacer" />
        <Button variant="ghost" onClick={() => void copySelection()} title="Copy selection (Ctrl+Shift+C)">
          Copy
        </Button>
        <Button variant="ghost" onClick={() => void pasteClipboard()} title="Paste (Ctrl+Shift+V)">
          Paste
        </Button>
        <span className={`terminal-status terminal-${phase}`} data-testid="terminal-status">
          <span className="engine-dot" aria-hidden="true" />
          {statusText}
          {title !== '' && (
            <span className="terminal-title" title={title}>
              {' '}
              · {title}
            </span>
          )}
        </span>
      </div>
      {error !== undefined && <ErrorBanner title="Terminal" message={error} />}
      <div ref={hostRef} className="terminal-host" data-testid="terminal" aria-label="Container terminal" />
    </div>
  );
}
