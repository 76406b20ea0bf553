// The headline through a typed client: openapi-typescript's types of openapi.yaml (schema.d.ts, generated
// by tests/test_ecosystems.py) and openapi-fetch. Type-checked with `tsc --strict`; never run.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

type Figure = components["schemas"]["Figure"];

export async function troopEstimates(baseUrl: string): Promise<Figure[]> {
  const client = createClient<paths>({ baseUrl });
  const { data, error } = await client.GET("/api/v1/figures", {
    params: { query: { category: ["troops"], sort: "source,period", page_size: 500 } },
  });
  if (error) {
    // A problem document: the status and what went wrong.
    throw new Error(`${error.status} ${error.title}: ${error.detail}`);
  }
  // A FigureList, not a union with the CSV text: the list answers JSON only.
  const page: components["schemas"]["FigureList"] = data;
  const next: string | null = page.next_cursor;
  void next;
  return page.items.filter((figure) => figure.metric.category === "troops");
}

export function claimantName(figure: Figure): string {
  // A claimant may be null: the compiler makes the reader say what then.
  return figure.claimant?.name ?? figure.claimant?.attribution ?? "unattributed";
}

export async function entity(baseUrl: string, id: string): Promise<string> {
  const client = createClient<paths>({ baseUrl });
  const { data, response } = await client.GET("/api/v1/entities/{entity_id}", {
    params: { path: { entity_id: id } },
  });
  // An alias answers 200 with the canonical record; Content-Location names its URL.
  return data ? `${data.id} ${response.headers.get("Content-Location") ?? ""}` : "";
}
