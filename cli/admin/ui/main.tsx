/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/** The admin UI's entry point: bundled by bin/ui_build.ts into /assets/app-<hash>.js. */
import { createRoot } from "react-dom/client";
import { App } from "./app.tsx";

createRoot(document.getElementById("root")!).render(<App />);
