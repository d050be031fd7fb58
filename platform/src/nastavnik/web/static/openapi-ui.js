// Starts Swagger UI on /schema (a file, not an inline script: the Content-Security-Policy allows no inline script).
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : undefined;
  }
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    // "Try it out" with the page's session must send the CSRF token, as the pages' forms do.
    requestInterceptor: function (request) {
      var token = csrfToken();
      if (token !== undefined) {
        request.headers["X-CSRFToken"] = token;
      }
      return request;
    },
  });
});
