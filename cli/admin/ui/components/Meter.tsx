/** A labelled usage bar: role="meter" named by `label`, value 0–100 percent, with the value as text. */
export function Meter({ label, value, text }: { label: string; value: number; text?: string }) {
  const v = Math.max(0, Math.min(100, Number.isFinite(value) ? value : 0));
  const shown = text ?? `${Math.round(v * 10) / 10}%`;
  return (
    <div className="meter-row">
      <span className="meter-label">{label}</span>
      <div
        className="meter"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(v * 10) / 10}
        aria-valuetext={shown}
      >
        <div
          className={v > 90 ? "meter-fill hot" : v > 70 ? "meter-fill warm" : "meter-fill"}
          style={{ width: `${v}%` }}
        />
      </div>
      <span className="meter-text">{shown}</span>
    </div>
  );
}
