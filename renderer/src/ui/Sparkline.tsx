/** A small line chart of recent values; the line grows from the left while history fills. */
export function Sparkline({
  values,
  max,
  width = 120,
  height = 32,
  className = 'spark',
}: {
  values: readonly number[];
  max: number;
  width?: number;
  height?: number;
  className?: string;
}) {
  if (values.length < 2)
    return <svg className={`${className} spark-empty`} viewBox={`0 0 ${width} ${height}`} aria-hidden="true" />;
  const top = Math.max(max, ...values, 1e-9);
  const span = Math.max(values.length, 12) - 1;
  const points = values.map((v, i) => `${(i / span) * width},${height - (v / top) * (height - 2) - 1}`).join(' ');
  return (
    <svg className={className} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" aria-hidden="true">
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" vectorEffect="non-scaling-stroke" />
    </svg>
  );
}
