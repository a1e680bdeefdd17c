//! The rover's metrics as Prometheus would hold them: name, labels and how each is read off the
//! world's telemetry. The recording writes these; a live exporter will serve the same names.

use super::world::{Telemetry, WHEELS};

/// One exported series.
#[derive(Debug, Clone)]
pub struct MetricSeries {
    /// Metric name.
    pub name: &'static str,
    /// Extra labels beyond `instance` and `job`, sorted by name.
    pub labels: Vec<(&'static str, &'static str)>,
    /// Decimal places kept (sensor resolution; keeps recordings small).
    pub decimals: i32,
    /// Reads the value off one telemetry sample.
    pub read: Reader,
    /// Index passed to `read` (the wheel, for per-wheel series).
    pub index: usize,
}

/// The `job` label of every rover series.
pub const JOB: &str = "rover";
/// The `instance` label of every rover series.
pub const INSTANCE: &str = "rover-sim:9184";

/// Reads one value off a telemetry sample; the index is the wheel, for per-wheel series.
type Reader = fn(&Telemetry, usize) -> f64;

/// The single-series metrics: name, decimals kept, and the field read.
const SCALARS: [(&str, i32, Reader); 14] = [
    ("rover_air_temperature_celsius", 2, |t, _| t.air_temp_c),
    ("rover_battery_soc_percent", 2, |t, _| t.battery_soc_pct),
    ("rover_bus_voltage_volts", 2, |t, _| t.bus_voltage_v),
    ("rover_cpu_load_percent", 1, |t, _| t.cpu_load_pct),
    ("rover_dust_opacity_tau", 3, |t, _| t.dust_opacity_tau),
    ("rover_heading_degrees", 1, |t, _| t.heading_deg),
    ("rover_odometry_meters", 2, |t, _| t.odometry_m),
    ("rover_position_x_meters", 2, |t, _| t.x_m),
    ("rover_position_y_meters", 2, |t, _| t.y_m),
    ("rover_power_in_watts", 1, |t, _| t.power_in_w),
    ("rover_power_out_watts", 1, |t, _| t.power_out_w),
    ("rover_pressure_pascals", 1, |t, _| t.pressure_pa),
    ("rover_uv_index", 2, |t, _| t.uv_index),
    ("rover_wind_speed_meters_per_second", 2, |t, _| t.wind_mps),
];

/// The per-wheel metrics (a `wheel` label each): name, decimals kept, and the field read.
const PER_WHEEL: [(&str, i32, Reader); 2] = [
    ("rover_motor_temperature_celsius", 1, |t, i| {
        t.motor_temp_c[i]
    }),
    ("rover_wheel_wear_percent", 3, |t, i| t.wheel_wear_pct[i]),
];

/// Every metric name the world exports with its series, in name order.
#[must_use]
pub fn catalogue() -> Vec<(&'static str, Vec<MetricSeries>)> {
    let scalars = SCALARS.iter().map(|&(name, decimals, read)| {
        (
            name,
            vec![MetricSeries {
                name,
                labels: vec![],
                decimals,
                read,
                index: 0,
            }],
        )
    });
    let wheels = PER_WHEEL.iter().map(|&(name, decimals, read)| {
        let series = WHEELS
            .iter()
            .enumerate()
            .map(|(index, w)| MetricSeries {
                name,
                labels: vec![("wheel", *w)],
                decimals,
                read,
                index,
            })
            .collect();
        (name, series)
    });
    let mut all: Vec<_> = scalars.chain(wheels).collect();
    all.sort_by_key(|(n, _)| *n);
    all
}

/// `v` rounded to `decimals` places.
#[must_use]
pub fn round(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}
