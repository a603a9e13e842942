"use strict";
(function () {
  var box = document.getElementById("gc-consumption");
  if (!box) { return; }
  fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (r) { return r.json(); })
    .then(function (d) {
      if (!d.days.length) {
        document.getElementById("gc-consumption-chart").classList.add("d-none");
        document.getElementById("gc-consumption-key").classList.add("d-none");
        document.getElementById("gc-consumption-empty").classList.remove("d-none");
        return;
      }
      document.getElementById("gc-consumption-total").textContent = (d.months.length > 1 ? d.months[0] + " ~ " + d.months[d.months.length - 1] : d.months[0]) + " · " + d.total_kwh.toLocaleString() + " kWh";
      var meters = d.meters, dates = [], seen = {};
      d.days.forEach(function (x) { if (!seen[x.date]) { seen[x.date] = true; dates.push(x.date); } });
      var colors = {valid: null, estimated: "#f79009", missing: "#98a2b3"};
      var series = meters.map(function (m) {
        var byDate = {};
        d.days.forEach(function (x) { if (x.meter === m) { byDate[x.date] = x; } });
        return {name: m, type: "bar", stack: "e", barMaxWidth: 8, data: dates.map(function (t) {
          var x = byDate[t]; if (!x) { return null; }
          var c = x.quality_code === "valid" ? null : (colors[x.quality_code] || "#d92d20");
          return {value: x.energy_kwh, quality: x.quality_label, itemStyle: c ? {color: c} : undefined};
        })};
      });
      var marks = d.events.map(function (e) { return {xAxis: e.timestamp.slice(0, 10), label: {formatter: e.label}}; });
      if (series.length && marks.length) {
        series[0].markLine = {symbol: "none", lineStyle: {color: "#d92d20", type: "dashed"}, label: {fontSize: 10, color: "#b42318"}, data: marks};
      }
      if (window.echarts) {
        var chart = echarts.init(document.getElementById("gc-consumption-chart"));
        chart.setOption({
          color: ["#0b5cab", "#12b76a", "#7a5af8"],
          // Every text from the data (meter asset numbers, quality labels) is escaped: the tooltip is HTML.
          tooltip: {trigger: "axis", formatter: function (ps) {
            var esc = echarts.format.encodeHTML;
            return esc(ps[0].axisValue) + "<br>" + ps.map(function (p) {
              var v = p.data && p.data.value;
              return esc(p.seriesName) + ": " + (v === null || v === undefined ? "—" : esc(String(v)) + " kWh") + (p.data && p.data.quality ? " (" + esc(p.data.quality) + ")" : "");
            }).join("<br>");
          }},
          legend: {top: 0, type: "scroll", textStyle: {fontSize: 11}},
          grid: {left: 48, right: 16, top: 40, bottom: 56},
          dataZoom: [{type: "inside"}, {type: "slider", height: 16, bottom: 8}],
          xAxis: {type: "category", data: dates},
          yAxis: {type: "value", name: "kWh"},
          series: series
        });
        window.addEventListener("resize", function () { chart.resize(); });
      }
      if (d.events.length) {
        var table = document.getElementById("gc-consumption-events"), body = table.querySelector("tbody");
        d.events.slice().reverse().forEach(function (e) {
          var tr = document.createElement("tr");
          [e.timestamp.slice(0, 16).replace("T", " "), e.meter, e.label].forEach(function (v) { var td = document.createElement("td"); td.textContent = v; tr.appendChild(td); });
          body.appendChild(tr);
        });
        table.classList.remove("d-none");
      }
    });
})();
