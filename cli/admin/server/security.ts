/**
 * The admin server's guards, as pure checks plus one hono middleware that applies them in order:
 *
 * 1. Host header (DNS rebinding): only the loopback names and the bound address — or, bound to every address
 *    (0.0.0.0, ::), any name, since the token guards that case.
 * 2. Token, when bound beyond loopback: `?token=T` once sets an HttpOnly SameSite=Strict cookie; every /api
 *    request needs that cookie or `Authorization: Bearer T`, else 401. Pages and assets are served without it
 *    (they hold nothing secret; the UI explains a 401).
 * 3. CSRF, on every /api request that is not GET/HEAD: header `X-CSRF-Token` must equal this server's random
 *    token, and an `Origin` header, when present, must be this server's own origin; else 403 code "CSRF".
 */
import type { MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";
import { AdminHttpError } from "./errors.ts";

export const TOKEN_COOKIE = "rnx_admin_token";
export const CSRF_HEADER = "X-CSRF-Token";

export interface SecurityOptions {
  /** The address the server is bound to, e.g. 127.0.0.1, 0.0.0.0, 192.168.1.5. */
  bind: string;
  /** Required (and checked) when `bind` is not loopback. */
  token?: string;
  /** This server start's CSRF token. */
  csrf: string;
}

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export function isLoopback(address: string): boolean {
  return LOOPBACK_NAMES.has(address) || /^127(\.\d{1,3}){3}$/.test(address) || address.endsWith(".localhost");
}

/** 0.0.0.0 or ::: bound to every interface. */
export function isWildcard(address: string): boolean {
  return address === "0.0.0.0" || address === "::" || address === "[::]";
}

/** A random token, 32 bytes as base64url. */
export function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function sameSecret(a: string | undefined | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The host name of a Host header, without the port ("[::1]:5173" → "[::1]"). */
export function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.lastIndexOf(":");
  return colon >= 0 ? h.slice(0, colon) : h;
}

/** Whether a request's Host header may reach this server (DNS rebinding). */
export function hostAllowed(hostHeader: string | undefined, bind: string): boolean {
  if (!hostHeader) return false;
  if (isWildcard(bind)) return true;
  const name = hostName(hostHeader);
  const bound = bind.toLowerCase();
  return isLoopback(name) || name === bound || name === `[${bound}]`;
}

/** Why a mutating request fails the CSRF check, or undefined when it passes. */
export function csrfProblem(
  req: { method: string; csrfHeader?: string | null; origin?: string | null; host?: string | null },
  csrf: string,
): string | undefined {
  if (req.method === "GET" || req.method === "HEAD") return undefined;
  if (!req.csrfHeader) {
    return `${req.method} requests need the ${CSRF_HEADER} header (from GET /api/session)`;
  }
  if (!sameSecret(req.csrfHeader, csrf)) {
    return `the ${CSRF_HEADER} header does not match this server's token (reload the page after a restart)`;
  }
  if (req.origin && req.origin !== `http://${req.host ?? ""}`) {
    return `Origin "${req.origin}" is not this server's own (http://${req.host ?? ""})`;
  }
  return undefined;
}

/** The token a request carries: the cookie, or `Authorization: Bearer T`. */
export function presentedToken(
  cookie: string | undefined,
  authorization: string | undefined,
): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  return m ? m[1] : cookie;
}

export function securityMiddleware(opts: SecurityOptions): MiddlewareHandler {
  const needToken = !isLoopback(opts.bind);
  if (needToken && !opts.token) {
    throw new Error(`binding to ${opts.bind} needs a token`);
  }
  return async (c, next) => {
    // Deno.serve builds the URL from the Host header; the fallback covers in-process requests without one.
    const host = c.req.header("Host") ?? new URL(c.req.url).host;
    if (!hostAllowed(host, opts.bind)) {
      throw new AdminHttpError(
        403,
        "Host",
        `Host "${host ?? ""}" is not this server's address (use http://${opts.bind}:PORT/ or localhost)`,
      );
    }
    const isApi = c.req.path === "/api" || c.req.path.startsWith("/api/");
    if (needToken) {
      const fromQuery = c.req.query("token");
      if (fromQuery !== undefined && sameSecret(fromQuery, opts.token!)) {
        setCookie(c, TOKEN_COOKIE, opts.token!, { httpOnly: true, sameSite: "Strict", path: "/" });
      } else if (isApi) {
        const t = presentedToken(getCookie(c, TOKEN_COOKIE), c.req.header("Authorization"));
        if (!sameSecret(t, opts.token!)) {
          throw new AdminHttpError(
            401,
            "Unauthenticated",
            "this rnx admin needs its token: open the URL it printed (…/?token=…) or send Authorization: Bearer",
          );
        }
      }
    }
    if (isApi) {
      const problem = csrfProblem({
        method: c.req.method,
        csrfHeader: c.req.header(CSRF_HEADER),
        origin: c.req.header("Origin"),
        host,
      }, opts.csrf);
      if (problem) throw new AdminHttpError(403, "CSRF", problem);
    }
    await next();
  };
}
