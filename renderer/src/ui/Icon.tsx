const paths = {
  dashboard: 'M3 13h8V3H3zm0 8h8v-6H3zm10 0h8V11h-8zm0-18v6h8V3z',
  containers: 'M21 16.5V7.5L12 2 3 7.5v9L12 22zM12 4.3l6.7 4.1L12 12.5 5.3 8.4zM5 10.2l6 3.6v6.1l-6-3.7zm8 9.7v-6.1l6-3.6v6z',
  images: 'M4 4h16v4H4zm0 6h16v4H4zm0 6h16v4H4z',
  volumes:
    'M12 3C7 3 4 4.6 4 6.5v11C4 19.4 7 21 12 21s8-1.6 8-3.5v-11C20 4.6 17 3 12 3zm0 2c3.9 0 6 1.1 6 1.5S15.9 8 12 8 6 6.9 6 6.5 8.1 5 12 5zm6 12.5c0 .4-2.1 1.5-6 1.5s-6-1.1-6-1.5v-2.3c1.5.8 3.6 1.3 6 1.3s4.5-.5 6-1.3zm0-4.5c0 .4-2.1 1.5-6 1.5s-6-1.1-6-1.5V9.2c1.5.8 3.6 1.3 6 1.3s4.5-.5 6-1.3z',
  networks:
    'M12 2a3 3 0 0 0-1 5.8V11H6a2 2 0 0 0-2 2v3.2a3 3 0 1 0 2 0V13h5v3.2a3 3 0 1 0 2 0V13h5v3.2a3 3 0 1 0 2 0V13a2 2 0 0 0-2-2h-5V7.8A3 3 0 0 0 12 2z',
  play: 'M8 5v14l11-7z',
  stop: 'M7 7h10v10H7z',
  restart: 'M17.7 6.3A8 8 0 1 0 20 12h-2a6 6 0 1 1-1.8-4.2L13 11h7V4z',
  pause: 'M7 5h4v14H7zm6 0h4v14h-4z',
  trash: 'M9 3h6l1 2h4v2H4V5h4zm-3 6h12l-1 12H7z',
  search: 'M15.5 14h-.8l-.3-.3A6.5 6.5 0 1 0 14 15.5l.3.3v.8l5 5 1.5-1.5zm-6 0a4.5 4.5 0 1 1 0-9 4.5 4.5 0 0 1 0 9z',
  sun: 'M12 7a5 5 0 1 0 0 10 5 5 0 0 0 0-10zM11 1h2v3h-2zm0 19h2v3h-2zM3.5 4.9l1.4-1.4 2.1 2.1-1.4 1.4zm12.5 12.5 1.4-1.4 2.1 2.1-1.4 1.4zM1 11h3v2H1zm19 0h3v2h-3zM3.5 19.1l2.1-2.1 1.4 1.4-2.1 2.1zM16 5.6l2.1-2.1 1.4 1.4-2.1 2.1z',
  moon: 'M12.1 22A10 10 0 0 1 9.3 2.4a8 8 0 0 0 12.3 9.7A10 10 0 0 1 12.1 22z',
  download: 'M11 3h2v9l3.5-3.5 1.4 1.4L12 15.8 6.1 9.9l1.4-1.4L11 12zM4 18h16v2H4z',
  close: 'M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z',
  back: 'M20 11H7.8l5.6-5.6L12 4l-8 8 8 8 1.4-1.4L7.8 13H20z',
  alert: 'M1 21h22L12 2zm12-3h-2v-2h2zm0-4h-2v-4h2z',
  external: 'M14 3h7v7h-2V6.4l-9.3 9.3-1.4-1.4L17.6 5H14zM5 5h6v2H6v11h11v-5h2v6a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1z',
  logs: 'M4 5h16v2H4zm0 4h10v2H4zm0 4h16v2H4zm0 4h10v2H4z',
  code: 'm8.6 16.6-4.6-4.6 4.6-4.6L7.2 6 1.2 12l6 6zm6.8 0 4.6-4.6-4.6-4.6L16.8 6l6 6-6 6z',
  chart: 'M3 3h2v16h16v2H3zm4 10h2v4H7zm4-6h2v10h-2zm4 3h2v7h-2z',
  terminal:
    'M3 4h18a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1zm1 2v12h16V6zm2.3 2.3L10 12l-3.7 3.7-1.4-1.4L7.2 12 4.9 9.7zM11 15h6v2h-6z',
  list: 'M3 5h2v2H3zm4 0h14v2H7zM3 11h2v2H3zm4 0h14v2H7zm-4 6h2v2H3zm4 0h14v2H7z',
  key: 'M7 14a2 2 0 1 1 0-4 2 2 0 0 1 0 4zm5.6-4A6 6 0 1 0 12.6 14H16v3h3v-3h2v-4z',
  tag: 'M21.4 11.6 12.4 2.6A2 2 0 0 0 11 2H4a2 2 0 0 0-2 2v7c0 .6.2 1.1.6 1.4l9 9a2 2 0 0 0 2.8 0l7-7a2 2 0 0 0 0-2.8zM6.5 8A1.5 1.5 0 1 1 6.5 5a1.5 1.5 0 0 1 0 3z',
  upload: 'M11 16h2V7l3.5 3.5 1.4-1.4L12 3.2 6.1 9.1l1.4 1.4L11 7zM4 18h16v2H4z',
  layers: 'M12 2 1 8l11 6 9-4.9V16h2V8zm-7 11.2v3.3L12 20l7-3.5v-3.3L12 17z',
  plus: 'M11 5h2v6h6v2h-6v6h-2v-6H5v-2h6z',
  folder: 'M10 4H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V8a2 2 0 0 0-2-2h-8z',
  command:
    'M6.5 2A3.5 3.5 0 0 0 3 5.5 3.5 3.5 0 0 0 6.5 9H8v6H6.5A3.5 3.5 0 1 0 10 18.5V17h4v1.5a3.5 3.5 0 1 0 3.5-3.5H16V9h1.5A3.5 3.5 0 1 0 14 5.5V7h-4V5.5A3.5 3.5 0 0 0 6.5 2zM8 7H6.5A1.5 1.5 0 1 1 8 5.5zm8 0V5.5A1.5 1.5 0 1 1 17.5 7zm-6 2h4v6h-4zm-2 8v1.5A1.5 1.5 0 1 1 6.5 17zm8 0h1.5a1.5 1.5 0 1 1-1.5 1.5z',
} as const;

export type IconName = keyof typeof paths;

export function Icon({ name, size = 16, className }: { name: IconName; size?: number; className?: string }) {
  return (
    <svg
      className={className}
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="currentColor"
      aria-hidden="true"
      focusable="false"
    >
      <path d={paths[name]} />
    </svg>
  );
}
