// Draws the ECharts line and bar charts whose options the page put in <script type="application/json">.
document.querySelectorAll("[data-chart]").forEach(function (el) {
  var spec = JSON.parse(document.getElementById(el.dataset.chart).textContent);
  var chart = echarts.init(el);
  chart.setOption(spec);
  window.addEventListener("resize", function () { chart.resize(); });
});
