using Telemetry.Study.Derivation;

namespace Telemetry.Study.Tests;

public sealed class TripRuleTests
{
    [Theory]
    [InlineData(298, 1)] // last moving sample, 298 still ones, moving again 4:59 after it: one trip
    [InlineData(299, 2)] // 5:00: the stop ends the trip
    public void A_stop_shorter_than_five_minutes_does_not_end_a_trip(int stillSamples, int trips)
    {
        var track = new Track().Move(300).Stand(stillSamples).Move(300);
        var result = track.Derive();
        Assert.Equal(trips, result.Trips.Count);
        if (trips == 1)
        {
            Assert.Equal(300 + stillSamples + 300, result.Trips[0].Samples);
            Assert.Equal(track.Samples[^1].TimeMs, result.Trips[0].EndMs);
        }
        else
        {
            Assert.Equal(track.Samples[299].TimeMs, result.Trips[0].EndMs);
            Assert.Equal(track.Samples[300 + stillSamples].TimeMs, result.Trips[1].StartMs);
            Assert.Equal(300, result.Trips[0].Samples);
        }
    }

    [Fact]
    public void A_stop_of_five_minutes_at_the_end_closes_the_trip_at_the_last_moving_sample()
    {
        var track = new Track().Move(200).Stand(400);
        var trip = Assert.Single(track.Derive().Trips);
        Assert.Equal(track.Samples[0].TimeMs, trip.StartMs);
        Assert.Equal(track.Samples[199].TimeMs, trip.EndMs);
        Assert.Equal(199, trip.DurationS);
        Assert.Equal(200, trip.Samples);
    }

    [Theory]
    [InlineData(3600, 1)] // exactly 1 h without data: not a gap
    [InlineData(3600.001, 2)]
    public void A_gap_of_more_than_an_hour_ends_a_trip(double gapSeconds, int trips)
    {
        var track = new Track().Move(300).After(gapSeconds).Move(300);
        Assert.Equal(trips, track.Derive().Trips.Count);
    }

    [Theory]
    [InlineData(129, 0.214, false)]
    [InlineData(130, 0.214, true)]
    [InlineData(129, 0.215, true)]
    public void A_trip_is_kept_from_130_s_or_215_m(int durationS, double km, bool kept)
    {
        // durationS + 1 samples a second apart span durationS; the odometer covers km in total.
        var track = new Track().Move(durationS + 1, kmPerStep: km / durationS).Stand(400);
        var trips = track.Derive().Trips;
        Assert.Equal(kept ? 1 : 0, trips.Count);
        if (kept)
        {
            Assert.Equal(durationS, trips[0].DurationS);
            Assert.Equal(km, trips[0].DistanceKm, 9);
        }
    }

    [Fact]
    public void Ignition_off_ends_a_trip_at_once()
    {
        var track = new Track().Move(200);
        var off = Sample.At(track.TimeMs);
        off.SpeedKmh = 0;
        off.Ignition = false;
        track.Samples.Add(off);
        track.Skip(1).Move(200);
        Assert.Equal(2, track.Derive().Trips.Count);
    }

    [Fact]
    public void A_vehicle_that_never_moves_has_no_trip_and_a_day_of_zero()
    {
        var result = new Track().Stand(7200).Derive();
        Assert.Empty(result.Trips);
        var day = Assert.Single(result.VehicleDays);
        Assert.Equal(0, day.DistanceKm);
        Assert.Equal(0, day.Trips);
        Assert.Null(day.KwhPerKm);
        Assert.Null(day.KgPer100Km);
        Assert.Equal(7200, day.Samples);
        Assert.Equal(100, day.CompletenessPct);
    }

    [Fact]
    public void Without_an_odometer_the_distance_is_the_haversine_sum_of_the_track()
    {
        var track = new Track { WithOdo = false }.Move(600).Stand(400);
        var trip = Assert.Single(track.Derive().Trips);
        double expected = Geo.HaversineKm(track.Samples[0].Lat, 100.5, track.Samples[599].Lat, 100.5);
        Assert.Equal(expected, trip.DistanceKm, 9);
        Assert.Equal(5.99, trip.DistanceKm, 3); // 599 s at 36 km/h
        Assert.Equal(36, trip.AvgSpeedKmh, 3);
    }

    [Fact]
    public void Energy_is_the_trapezoid_of_voltage_times_minus_current_over_steps_up_to_60_s()
    {
        // 72 V × 10 A drawn = 720 W for 599 s = 0.1198 kWh; a step of 61 s adds nothing.
        var track = new Track().Move(600);
        var result = track.Derive();
        Assert.Equal(720 * 599 / 3.6e6, result.Trips[0].EnergyKwh!.Value, 9);
        Assert.Equal(result.Trips[0].EnergyKwh!.Value / result.Trips[0].DistanceKm, result.Trips[0].KwhPerKm!.Value, 12);

        var sparse = new Track().Move(10, stepS: 61).Derive();
        Assert.Null(Assert.Single(sparse.Trips).EnergyKwh);
    }

    [Fact]
    public void The_mean_battery_temperature_is_over_the_trips_samples()
    {
        var track = new Track { BattTempC = 30 }.Move(100);
        track.BattTempC = 40;
        track.Move(100).Stand(400);
        Assert.Equal(35, Assert.Single(track.Derive().Trips).AvgBattTempC);
        Assert.Null(Assert.Single(new Track().Move(200).Derive().Trips).AvgBattTempC);
    }

    [Fact]
    public void Hydrogen_of_a_trip_is_first_minus_last_mass_and_per_100_km()
    {
        var track = new Track { H2MassKg = 10 };
        for (int i = 0; i < 600; i++)
        {
            track.Move(1);
            track.H2MassKg -= 0.001;
        }
        var trip = Assert.Single(track.Derive().Trips);
        Assert.Equal(0.599, trip.H2Kg!.Value, 9);
        Assert.Equal(100 * 0.599 / trip.DistanceKm, trip.KgPer100Km!.Value, 9);
    }

    [Fact]
    public void A_trip_belongs_to_the_local_day_it_starts_whatever_the_range_start()
    {
        // 23:55 Bangkok on 2026-11-25, 20 minutes of driving across midnight.
        long start = new DateTimeOffset(2026, 11, 25, 16, 55, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var track = new Track { TimeMs = start }.Move(1200).Stand(400);
        var wide = track.Derive(from: new DateOnly(2026, 11, 25), to: new DateOnly(2026, 11, 27));
        var trip = Assert.Single(wide.Trips);
        Assert.Equal(start, trip.StartMs);
        Assert.Equal(1, wide.VehicleDays.Single(d => d.LocalDate == new DateOnly(2026, 11, 25)).Trips);
        Assert.Equal(0, wide.VehicleDays.Single(d => d.LocalDate == new DateOnly(2026, 11, 26)).Trips);

        var nextDayOnly = track.Derive(from: new DateOnly(2026, 11, 26), to: new DateOnly(2026, 11, 27));
        Assert.Empty(nextDayOnly.Trips);
        Assert.Equal(0, Assert.Single(nextDayOnly.VehicleDays).DistanceKm);
    }

    [Fact]
    public void A_sample_back_in_time_is_not_used_for_motion_and_a_repeated_millisecond_is_ignored()
    {
        var track = new Track().Move(300);
        var clean = track.Derive();
        var jumped = new List<Sample>(track.Samples);
        // The device clock jumps back 100 s for 10 samples (new seq), then one sample repeats a millisecond.
        for (int i = 0; i < 10; i++)
        {
            var back = jumped[200 + i];
            back.Seq = 1000 + i;
            back.SpeedKmh = 0;
            jumped.Add(back);
        }
        jumped.Add(jumped[^11] with { });
        var result = Track.Run(jumped);
        Assert.Equal(clean.Trips[0], result.Trips[0]);
        var day = Assert.Single(result.VehicleDays);
        Assert.Equal(310, day.SeqReceived);
    }
}
