// Draws the Plotly charts whose figures are embedded as JSON (no inline script, for the CSP).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-figure]").forEach(function (element) {
    var spec = JSON.parse(document.getElementById(element.dataset.figure).textContent);
    window.Plotly.newPlot(element, spec.data, spec.layout, {displayModeBar: false, responsive: true});
  });
});
