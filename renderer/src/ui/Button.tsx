import type { ButtonHTMLAttributes, ReactNode } from 'react';
import { Icon, type IconName } from './Icon';

interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  readonly variant?: 'primary' | 'secondary' | 'ghost' | 'danger';
  readonly icon?: IconName;
  readonly busy?: boolean;
  readonly children?: ReactNode;
}

export function Button({ variant = 'secondary', icon, busy = false, children, className, disabled, type, ...rest }: ButtonProps) {
  return (
    <button
      {...rest}
      type={type ?? 'button'}
      disabled={disabled === true || busy}
      aria-busy={busy || undefined}
      className={`btn btn-${variant}${children === undefined ? ' btn-icon' : ''}${className === undefined ? '' : ` ${className}`}`}
    >
      {busy ? <span className="spinner" aria-hidden="true" /> : icon !== undefined ? <Icon name={icon} /> : null}
      {children}
    </button>
  );
}
