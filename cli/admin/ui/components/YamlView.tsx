/** YAML with line numbers, and any validation issues shown right under the line they name. */
import { type Issue, issuesByLine } from "../lib/yaml_issues.ts";

export function YamlView({ yaml, issues = [], label }: { yaml: string; issues?: Issue[]; label: string }) {
  const byLine = issuesByLine(issues);
  const lines = yaml.replace(/\n$/, "").split("\n");
  const note = (list: Issue[] | undefined) =>
    (list ?? []).map((i, k) => (
      <div key={k} className="yaml-issue" role="note">
        {i.line ? `Line ${i.line}${i.column ? `, column ${i.column}` : ""}: ` : ""}
        {i.message}
      </div>
    ));
  return (
    <div className="yaml" role="region" aria-label={label}>
      {note(byLine.get(0))}
      {lines.map((text, i) => (
        <div key={i}>
          <div className={byLine.has(i + 1) ? "yaml-line bad" : "yaml-line"} data-no={i + 1}>{text}</div>
          {note(byLine.get(i + 1))}
        </div>
      ))}
      {note([...byLine.entries()].filter(([l]) => l > lines.length).flatMap(([, v]) => v))}
    </div>
  );
}
