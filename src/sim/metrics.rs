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
    pub read: fn(&Telemetry, usize) -> f64,
    /// Index passed to `read` (the wheel, for per-wheel series).
    pub index: usize,
}

/// The `job` label of every rover series.
pub const JOB: &str = "rover";
/// The `instance` label of every rover series.
pub const INSTANCE: &str = "rover-sim:9184";

macro_rules! scalar {
    ($name:literal, $decimals:literal, $field:ident) => {
        vec![MetricSeries {
            name: $name,
            labels: vec![],
            decimals: $decimals,
            read: |t, _| t.$field,
            index: 0,
        }]
    };
}

/// Every metric name the world exports with its series, in name order.
#[must_use]
pub fn catalogue() -> Vec<(&'static str, Vec<MetricSeries>)> {
    let wheels = |name: &'static str, decimals: i32, read: fn(&Telemetry, usize) -> f64| {
        WHEELS
            .iter()
            .enumerate()
            .map(|(i, w)| MetricSeries {
                name,
                labels: vec![("wheel", *w)],
                decimals,
                read,
                index: i,
            })
            .collect::<Vec<_>>()
    };
    let mut all = vec![
        (
            "rover_air_temperature_celsius",
            scalar!("rover_air_temperature_celsius", 2, air_temp_c),
        ),
        (
            "rover_battery_soc_percent",
            scalar!("rover_battery_soc_percent", 2, battery_soc_pct),
        ),
        (
            "rover_bus_voltage_volts",
            scalar!("rover_bus_voltage_volts", 2, bus_voltage_v),
        ),
        (
            "rover_cpu_load_percent",
            scalar!("rover_cpu_load_percent", 1, cpu_load_pct),
        ),
        (
            "rover_dust_opacity_tau",
            scalar!("rover_dust_opacity_tau", 3, dust_opacity_tau),
        ),
        (
            "rover_heading_degrees",
            scalar!("rover_heading_degrees", 1, heading_deg),
        ),
        (
            "rover_motor_temperature_celsius",
            wheels("rover_motor_temperature_celsius", 1, |t, i| {
                t.motor_temp_c[i]
            }),
        ),
        (
            "rover_odometry_meters",
            scalar!("rover_odometry_meters", 2, odometry_m),
        ),
        (
            "rover_position_x_meters",
            scalar!("rover_position_x_meters", 2, x_m),
        ),
        (
            "rover_position_y_meters",
            scalar!("rover_position_y_meters", 2, y_m),
        ),
        (
            "rover_power_in_watts",
            scalar!("rover_power_in_watts", 1, power_in_w),
        ),
        (
            "rover_power_out_watts",
            scalar!("rover_power_out_watts", 1, power_out_w),
        ),
        (
            "rover_pressure_pascals",
            scalar!("rover_pressure_pascals", 1, pressure_pa),
        ),
        ("rover_uv_index", scalar!("rover_uv_index", 2, uv_index)),
        (
            "rover_wheel_wear_percent",
            wheels("rover_wheel_wear_percent", 3, |t, i| t.wheel_wear_pct[i]),
        ),
        (
            "rover_wind_speed_meters_per_second",
            scalar!("rover_wind_speed_meters_per_second", 2, wind_mps),
        ),
    ];
    all.sort_by_key(|(n, _)| *n);
    all
}

/// `v` rounded to `decimals` places.
#[must_use]
pub fn round(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}
