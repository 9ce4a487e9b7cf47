using Telemetry.Study.Derivation;

namespace Telemetry.Study.Tests;

public sealed class ChargeSwapRefuelTests
{
    [Theory]
    [InlineData(119, 0)]
    [InlineData(120, 1)]
    public void Charging_for_two_minutes_is_a_session(int seconds, int sessions)
    {
        var track = new Track { Charging = true, BattA = 20 }.Stand(seconds + 1);
        track.Charging = false;
        track.BattA = 0;
        track.Stand(10);
        var charges = track.Derive().ChargeSessions;
        Assert.Equal(sessions, charges.Count);
        if (sessions == 1)
        {
            Assert.Equal(seconds, charges[0].DurationS);
            Assert.Equal(72 * 20 * seconds / 3.6e6, charges[0].EnergyKwh!.Value, 9);
        }
    }

    [Theory]
    [InlineData(0.5, 0)]
    [InlineData(0.51, 1)]
    public void Without_a_charging_flag_a_standing_current_above_half_an_ampere_is_charging(double amperes, int sessions)
    {
        var track = new Track { BattA = amperes }.Stand(300);
        Assert.Equal(sessions, track.Derive().ChargeSessions.Count);
    }

    [Fact]
    public void Regeneration_while_moving_is_not_charging()
    {
        var track = new Track { BattA = 30 }.Move(300);
        Assert.Empty(track.Derive().ChargeSessions);
    }

    [Theory]
    [InlineData(0.19, 0)]
    [InlineData(0.2, 1)]
    public void A_mass_rise_of_0_2_kg_standing_is_a_refuel(double kg, int refuels)
    {
        var track = new Track { H2MassKg = 5 }.Stand(60);
        for (int i = 0; i < 20; i++)
        {
            track.H2MassKg += kg / 20;
            track.Stand(1);
        }
        track.Stand(300);
        var result = track.Derive();
        Assert.Equal(refuels, result.Refuels.Count);
        if (refuels == 1)
        {
            var refuel = result.Refuels[0];
            Assert.Equal(kg, refuel.H2Kg!.Value, 9);
            Assert.Equal(track.Samples[59].TimeMs, refuel.StartMs);
            Assert.Equal(track.Samples[79].TimeMs, refuel.EndMs);
            Assert.Equal(1, Assert.Single(result.VehicleDays).Refuels);
        }
    }

    [Fact]
    public void A_mass_rise_while_moving_is_not_a_refuel()
    {
        var track = new Track { H2MassKg = 5 };
        for (int i = 0; i < 100; i++)
        {
            track.H2MassKg += 0.01;
            track.Move(1);
        }
        Assert.Empty(track.Derive().Refuels);
    }

    [Fact]
    public void Refuel_events_alone_make_a_refuel_with_their_mass()
    {
        var track = new Track().Stand(600);
        var result = track.Derive(events:
        [
            new StudyEvent(track.Samples[100].TimeMs, StudyEventType.RefuelStart, H2PressureMpa: 20),
            new StudyEvent(track.Samples[280].TimeMs, StudyEventType.RefuelEnd, H2Kg: 3.2, H2PressureMpa: 70),
        ]);
        var refuel = Assert.Single(result.Refuels);
        Assert.Equal(3.2, refuel.H2Kg);
        Assert.Equal(180, refuel.DurationS);
        Assert.Equal(20, refuel.PressureStartMpa);
        Assert.Equal(70, refuel.PressureEndMpa);
    }

    [Fact]
    public void A_battery_id_change_is_a_swap_with_the_soc_before_and_after()
    {
        var track = new Track { BatteryId = "BP-1", Soc = 12 }.Stand(10);
        track.BatteryId = "BP-2";
        track.Soc = 97;
        track.Stand(10);
        var swap = Assert.Single(track.Derive().Swaps);
        Assert.Equal(track.Samples[10].TimeMs, swap.AtMs);
        Assert.Equal("BP-2", swap.BatteryIn);
        Assert.Equal("BP-1", swap.BatteryOut);
        Assert.Equal(97, swap.SocInPct);
        Assert.Equal(12, swap.SocOutPct);
        Assert.Null(swap.StationId);
    }

    [Fact]
    public void A_swap_event_alone_is_a_swap_and_takes_the_packs_from_telemetry_around_it()
    {
        var track = new Track { Soc = 15 }.Stand(10);
        track.Soc = 95;
        track.Stand(10);
        long at = track.Samples[10].TimeMs - 500;
        var swap = Assert.Single(track.Derive(events: [new StudyEvent(at, StudyEventType.BatterySwap, "BP-9", "SW-BKK-031")]).Swaps);
        Assert.Equal(at, swap.AtMs);
        Assert.Equal("BP-9", swap.BatteryIn);
        Assert.Equal("SW-BKK-031", swap.StationId);
        Assert.Equal(15, swap.SocOutPct);
        Assert.Equal(95, swap.SocInPct);
    }

    [Fact]
    public void A_swap_event_confirms_the_telemetry_swap_and_adds_the_station()
    {
        var track = new Track { BatteryId = "BP-1" }.Stand(10);
        track.BatteryId = "BP-2";
        track.Stand(10);
        long at = track.Samples[10].TimeMs - 2000;
        var result = track.Derive(events: [new StudyEvent(at, StudyEventType.BatterySwap, "BP-2", "SW-1", SocPct: 96)]);
        var swap = Assert.Single(result.Swaps);
        Assert.Equal("SW-1", swap.StationId);
        Assert.Equal("BP-1", swap.BatteryOut);
        Assert.Equal(at, swap.AtMs);
        Assert.Equal(1, Assert.Single(result.VehicleDays).Swaps);
    }

    [Fact]
    public void A_vehicle_that_reports_charging_false_is_not_charging_whatever_its_current()
    {
        // A fuel-cell vehicle standing with its stack recharging the buffer battery: batt_a > 0, charging false.
        var track = new Track { Charging = false, BattA = 25 }.Stand(600);
        Assert.Empty(track.Derive().ChargeSessions);
    }

    [Fact]
    public void The_refuel_end_event_gives_the_mass_of_a_refuel_seen_in_telemetry()
    {
        var track = new Track { H2MassKg = 5 }.Stand(60);
        for (int i = 0; i < 20; i++)
        {
            track.H2MassKg += 0.03;
            track.Stand(1);
        }
        track.Stand(300);
        var result = track.Derive(events:
        [
            new StudyEvent(track.Samples[59].TimeMs, StudyEventType.RefuelStart, H2PressureMpa: 20),
            new StudyEvent(track.Samples[79].TimeMs, StudyEventType.RefuelEnd, H2Kg: 0.615, H2PressureMpa: 35),
        ]);
        Assert.Equal(0.615, Assert.Single(result.Refuels).H2Kg);
    }
}
