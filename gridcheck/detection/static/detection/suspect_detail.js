"use strict";
(function () {
  var box = document.getElementById("gc-suspect-chart-card");
  if (!box) { return; }
  var L = JSON.parse(document.getElementById("gc-chart-labels").textContent);
  fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (r) { return r.json(); })
    .then(function (d) {
      if (!d.days.length && !d.area_day_loss.some(function (v) { return v !== null; })) {
        document.getElementById("gc-suspect-chart").classList.add("d-none");
        document.getElementById("gc-suspect-chart-empty").classList.remove("d-none");
        return;
      }
      var dates = d.dates, colors = {estimated: "#f79009", missing: "#98a2b3"};
      var series = d.meters.map(function (m) {
        var byDate = {};
        d.days.forEach(function (x) { if (x.meter === m) { byDate[x.date] = x; } });
        return {name: m, type: "bar", stack: "e", barMaxWidth: 8, data: dates.map(function (t) {
          var x = byDate[t]; if (!x) { return null; }
          var c = x.quality_code === "valid" ? null : (colors[x.quality_code] || "#d92d20");
          return {value: x.energy_kwh, quality: c ? x.quality_label : "", itemStyle: c ? {color: c} : undefined};
        })};
      });
      if (!series.length) { series.push({name: L.energy, type: "bar", data: []}); }
      var marks = d.events.map(function (e) { return {xAxis: e.timestamp.slice(0, 10), label: {formatter: e.label}}; });
      series[0].markArea = {silent: true, itemStyle: {color: "rgba(11, 92, 171, 0.06)"}, label: {position: "insideTop", color: "#475467", fontSize: 10}, data: [[{name: L.month, xAxis: d.month_start}, {xAxis: d.month_end}]]};
      if (marks.length) {
        series[0].markLine = {symbol: "none", lineStyle: {color: "#d92d20", type: "dashed"}, label: {fontSize: 10, color: "#b42318"}, data: marks};
      }
      // the loss rates are drawn above the (dense) daily bars, in colours of their own
      series.push({name: L.area_day_loss, type: "line", yAxisIndex: 1, z: 5, symbol: "none", connectNulls: false, itemStyle: {color: "#12b76a"}, lineStyle: {color: "#12b76a", width: 2}, data: d.area_day_loss});
      series.push({name: L.area_month_loss, type: "line", yAxisIndex: 1, z: 6, symbol: "none", step: "middle", itemStyle: {color: "#7a5af8"}, lineStyle: {color: "#7a5af8", type: "dashed", width: 2}, data: d.area_month_loss});
      if (!window.echarts) { return; }
      var narrow = window.innerWidth < 576;
      var chart = echarts.init(document.getElementById("gc-suspect-chart"));
      chart.setOption({
        color: ["#5b8def", "#b9cbe4", "#1d4f91", "#2e90fa"],
        tooltip: {trigger: "axis", formatter: function (ps) {
          var esc = echarts.format.encodeHTML, rows = [esc(ps[0].axisValueLabel)];
          ps.forEach(function (p) {
            var v = p.value, unit = p.seriesType === "bar" ? " kWh" : "";
            v = (v === null || v === undefined || v === "-") ? "—" : (+(+v).toFixed(2)) + unit;
            var q = p.data && p.data.quality ? " (" + esc(p.data.quality) + ")" : "";
            rows.push(p.marker + esc(p.seriesName) + ": <b>" + v + "</b>" + q);
          });
          return rows.join("<br>");
        }},
        legend: {top: 0, type: "scroll", textStyle: {fontSize: 11}},
        grid: {left: narrow ? 40 : 52, right: narrow ? 36 : 48, top: narrow ? 56 : 48, bottom: 56},
        dataZoom: [{type: "inside"}, {type: "slider", height: 16, bottom: 8}],
        xAxis: {type: "category", data: dates},
        // headroom above the bars and lines for the month's label (inside) and the events' (above)
        yAxis: [{type: "value", name: "kWh", boundaryGap: [0, "20%"]}, {type: "value", name: "%", boundaryGap: [0, "20%"], splitLine: {show: false}}],
        series: series
      });
      window.addEventListener("resize", function () { chart.resize(); });
      document.getElementById("gc-suspect-chart-key").classList.remove("d-none");
      if (d.events.length) {
        var table = document.getElementById("gc-suspect-events"), body = table.querySelector("tbody");
        d.events.slice().reverse().forEach(function (e) {
          var tr = document.createElement("tr");
          [e.timestamp.slice(0, 16).replace("T", " "), e.meter, e.label].forEach(function (v) { var td = document.createElement("td"); td.textContent = v; tr.appendChild(td); });
          body.appendChild(tr);
        });
        table.classList.remove("d-none");
      }
    });
})();
