/** Entry point: reads config.json, then renders the explorer. */
import { render } from "preact";
import { App } from "./app/app";
import { loadConfig } from "./app/config";
import { ServicesContext, createServices } from "./app/services";
import "./app/styles.css";

async function main(): Promise<void> {
  const root = document.getElementById("root")!;
  try {
    const config = await loadConfig();
    root.textContent = "";
    render(
      <ServicesContext.Provider value={createServices(config)}>
        <App />
      </ServicesContext.Provider>,
      root,
    );
  } catch (error) {
    root.innerHTML = "";
    const box = document.createElement("p");
    box.className = "error";
    box.setAttribute("role", "alert");
    box.textContent = `The explorer cannot start: ${(error as Error).message}`;
    root.append(box);
  }
}

void main();
