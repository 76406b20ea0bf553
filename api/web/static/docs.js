// Start Swagger UI on this server's OpenAPI document (no inline script: the CSP forbids it).

// Fold each response's header table under a one-line summary: the headers stay in the document and
// one click away, while the page shows what a response holds.
function FoldedHeadersPlugin(system) {
  var h = system.React.createElement;
  return {
    wrapComponents: {
      headers: function (Original) {
        return function (props) {
          var count = props.headers && props.headers.size ? props.headers.size : 0;
          if (!count) {
            return h(Original, props);
          }
          return h(
            "details",
            { className: "claimbase-headers" },
            h("summary", null, "Headers (" + count + ")"),
            h(Original, props)
          );
        };
      },
    },
  };
}

window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    // Collapsed: every tag lists its operations, each one click from its details; a filter box by tag.
    docExpansion: "list",
    filter: true,
    // The schemas are reachable from each response ("Schema"); no list of them below the operations.
    defaultModelsExpandDepth: -1,
    // "Try it out" starts off: nothing is sent until the reader asks for it.
    tryItOutEnabled: false,
    displayRequestDuration: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [FoldedHeadersPlugin],
    layout: "BaseLayout",
  });
});
