// Starts Swagger UI on /api/v1/docs. A file, not an inline script: the CSP allows scripts from 'self' only.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: false,  // a link inside each operation's toggle button is a nested control (axe: nested-interactive)
    layout: "BaseLayout",
    presets: [window.SwaggerUIBundle.presets.apis],
  });
});
