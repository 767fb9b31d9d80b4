/**
 * Monitoring: the node's host live from `host/stream` — CPU total and per core, memory and swap, disks, network
 * interfaces with rates, top processes — with charts of the last minutes.
 */
import { useState } from "react";
import { nodePath } from "../api.ts";
import { LineChart } from "../components/LineChart.tsx";
import { Link } from "../components/Link.tsx";
import { Meter } from "../components/Meter.tsx";
import { ErrorNote, Loading } from "../components/Notice.tsx";
import { useEvents } from "../hooks.ts";
import type { Point } from "../lib/chart_scale.ts";
import { humanBytes, humanDuration, humanRate, percent, share, shortId } from "../lib/format.ts";
import { hrefFor } from "../lib/route.ts";
import { appendPoint } from "../lib/series.ts";
import { useNode } from "../session.ts";
import type { Host } from "../types.ts";

interface History {
  cpu: Point[];
  mem: Point[];
  swap: Point[];
  rx: Point[];
  tx: Point[];
}

const EMPTY: History = { cpu: [], mem: [], swap: [], rx: [], tx: [] };

export function Monitoring() {
  const node = useNode();
  return <HostView key={node.name} node={node.name} />;
}

function HostView({ node }: { node: string }) {
  const [host, setHost] = useState<Host>();
  const [hist, setHist] = useState<History>(EMPTY);
  const [error, setError] = useState("");
  useEvents(`${nodePath(node, "host/stream")}?interval=2`, {
    host: (d) => {
      const h = d as Host;
      const t = Date.parse(h.time) || Date.now();
      setHost(h);
      setError("");
      setHist((o) => ({
        cpu: appendPoint(o.cpu, { t, v: h.cpu_percent }),
        mem: appendPoint(o.mem, { t, v: h.memory_used_bytes }),
        swap: appendPoint(o.swap, { t, v: h.swap_used_bytes }),
        rx: appendPoint(o.rx, { t, v: h.interfaces.reduce((n, i) => n + i.rx_bytes_per_second, 0) }),
        tx: appendPoint(o.tx, { t, v: h.interfaces.reduce((n, i) => n + i.tx_bytes_per_second, 0) }),
      }));
    },
  }, (m) => setError(m ? `The host stream failed: ${m}` : "The host stream was interrupted; reconnecting…"));

  return (
    <>
      <header className="page-head">
        <h1>Monitoring</h1>
        <span className="muted">
          Node {node}
          {host
            ? ` · ${host.hostname} · ${host.kernel} · up ${humanDuration(host.uptime_seconds * 1000)}`
            : ""}
        </span>
      </header>
      <ErrorNote error={error} />
      {!host ? <Loading what="host status" /> : (
        <>
          <div className="cards">
            <section className="card" aria-labelledby="cpu-h">
              <h2 id="cpu-h">CPU</h2>
              <Meter label="CPU" value={host.cpu_percent} />
              <p>
                Load {host.load1.toFixed(2)} {host.load5.toFixed(2)} {host.load15.toFixed(2)} ·{" "}
                {host.process_count} processes
              </p>
              <div className="cores">
                {host.cores.map((c) => <Meter key={c.id} label={`Core ${c.id}`} value={c.usage_percent} />)}
              </div>
            </section>
            <section className="card" aria-labelledby="mem-h">
              <h2 id="mem-h">Memory</h2>
              <Meter
                label="Memory"
                value={share(host.memory_used_bytes, host.memory_total_bytes)}
                text={`${humanBytes(host.memory_used_bytes)} of ${humanBytes(host.memory_total_bytes)}`}
              />
              <Meter
                label="Swap"
                value={share(host.swap_used_bytes, host.swap_total_bytes)}
                text={host.swap_total_bytes
                  ? `${humanBytes(host.swap_used_bytes)} of ${humanBytes(host.swap_total_bytes)}`
                  : "none"}
              />
              <LineChart
                title="Memory and swap used"
                series={[
                  { label: "Memory", points: hist.mem, color: "#8e44ad" },
                  { label: "Swap", points: hist.swap, color: "#c0392b" },
                ]}
                format={humanBytes}
                yFloor={1024}
              />
            </section>
          </div>
          <div className="charts">
            <LineChart
              title="CPU use"
              series={[{ label: "CPU", points: hist.cpu, color: "#2f7ed8" }]}
              format={percent}
              yMax={100}
            />
            <LineChart
              title="Network"
              series={[
                { label: "Received", points: hist.rx, color: "#27ae60" },
                { label: "Sent", points: hist.tx, color: "#e67e22" },
              ]}
              format={humanRate}
              yFloor={1024}
            />
          </div>
          <section aria-labelledby="disks-h">
            <h2 id="disks-h">Disks</h2>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Mount point</th>
                  <th scope="col">Device</th>
                  <th scope="col">Type</th>
                  <th scope="col">Used</th>
                  <th scope="col">Size</th>
                  <th scope="col">Use</th>
                </tr>
              </thead>
              <tbody>
                {host.disks.map((d) => (
                  <tr key={d.mount_point}>
                    <td className="mono">{d.mount_point}</td>
                    <td className="mono">{d.device}</td>
                    <td>{d.fs_type}</td>
                    <td>{humanBytes(d.used_bytes)}</td>
                    <td>{humanBytes(d.total_bytes)}</td>
                    <td>{percent(share(d.used_bytes, d.total_bytes))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section aria-labelledby="net-h">
            <h2 id="net-h">Network interfaces</h2>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Interface</th>
                  <th scope="col">Receiving</th>
                  <th scope="col">Sending</th>
                  <th scope="col">Received</th>
                  <th scope="col">Sent</th>
                </tr>
              </thead>
              <tbody>
                {host.interfaces.map((i) => (
                  <tr key={i.name}>
                    <td className="mono">{i.name}</td>
                    <td>{humanRate(i.rx_bytes_per_second)}</td>
                    <td>{humanRate(i.tx_bytes_per_second)}</td>
                    <td>{humanBytes(i.rx_bytes)}</td>
                    <td>{humanBytes(i.tx_bytes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section aria-labelledby="top-h">
            <h2 id="top-h">Top processes</h2>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">PID</th>
                  <th scope="col">Command</th>
                  <th scope="col">CPU</th>
                  <th scope="col">Memory</th>
                  <th scope="col">Job</th>
                </tr>
              </thead>
              <tbody>
                {host.top_processes.map((p) => (
                  <tr key={p.pid}>
                    <td>{p.pid}</td>
                    <td className="mono cmd" title={p.command}>{p.command}</td>
                    <td>{percent(p.cpu_percent)}</td>
                    <td>{humanBytes(p.memory_bytes)}</td>
                    <td>
                      {p.job_id
                        ? <Link href={hrefFor({ page: "job", node, id: p.job_id })}>{shortId(p.job_id)}</Link>
                        : ""}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </>
  );
}
