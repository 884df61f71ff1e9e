// Starts Swagger UI on /docs from a file (the Content-Security-Policy allows no inline script).
window.addEventListener("DOMContentLoaded", function () {
  window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: false });
});
