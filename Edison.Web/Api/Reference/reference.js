// Renders /openapi/v1.json as a table; text only (textContent), so nothing in the document can inject markup.
document.addEventListener("DOMContentLoaded", async () => {
  const body = document.getElementById("endpoints");
  const response = await fetch("/openapi/v1.json");
  const doc = await response.json();
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      const row = body.insertRow();
      for (const text of [method.toUpperCase(), path, op.operationId || "", (op.tags || []).join(", ")]) {
        row.insertCell().textContent = text;
      }
    }
  }
});
