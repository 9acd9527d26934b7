using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Binds an options type from a configuration section so that a value the binder cannot convert ("lots" for a number,
/// "Sometimes" for an enum) fails like every other bad setting: an <see cref="OptionsValidationException"/> at start
/// (<c>ValidateOnStart</c>) whose message names each unconvertible setting by its full path. The binder's own
/// <see cref="InvalidOperationException"/> is dropped, because its inner exception quotes the value, which may be a
/// secret pasted into the wrong setting.
/// </summary>
/// <remarks>
/// The <c>bind</c> delegate is written at each call site with the concrete options type, so the configuration binding
/// source generator intercepts it (no reflection). The unconvertible settings are found by binding each configured
/// value alone into a fresh instance (only after a failure), not by reading the binder's message.
/// </remarks>
internal static class NeonTenancyConfigurationBinding
{
    /// <summary>
    /// Adds the options of one feature: bound from the <paramref name="section"/> sub-section of the <c>NeonTenancy</c>
    /// configuration (when <c>AddNeonTenancy</c> was given one) through <see cref="BindChecked{T}"/>, validated at start.
    /// </summary>
    public static OptionsBuilder<T> AddNeonTenancyOptions<T>(this IServiceCollection services, IConfiguration? configuration, string section, Action<IConfiguration, T> bind)
        where T : class, new()
    {
        var options = services.AddOptions<T>();
        if (configuration is not null)
        {
            options.BindChecked(configuration.GetSection(section), bind);
        }

        return options.ValidateOnStart();
    }

    /// <summary>Binds <paramref name="section"/> into the options (and reloads them when it changes), failing as described above.</summary>
    public static OptionsBuilder<T> BindChecked<T>(this OptionsBuilder<T> builder, IConfiguration section, Action<IConfiguration, T> bind)
        where T : class, new()
    {
        builder.Services.AddSingleton<IOptionsChangeTokenSource<T>>(new ConfigurationChangeTokenSource<T>(builder.Name, section));
        var name = builder.Name;
        builder.Configure(options => Bind(name, section, options, bind));
        return builder;
    }

    /// <exception cref="OptionsValidationException">A configured value cannot be converted to its setting's type.</exception>
    public static void Bind<T>(string? name, IConfiguration section, T options, Action<IConfiguration, T> bind)
        where T : class, new()
    {
        try
        {
            bind(section, options);
        }
        catch (InvalidOperationException)
        {
            throw new OptionsValidationException(name ?? Options.Options.DefaultName, typeof(T), Unconvertible(section, bind));
        }
    }

    private static List<string> Unconvertible<T>(IConfiguration section, Action<IConfiguration, T> bind)
        where T : class, new()
    {
        var path = (section as IConfigurationSection)?.Path ?? string.Empty;
        var failures = new List<string>();
        foreach (var (key, value) in section.AsEnumerable(makePathsRelative: false))
        {
            if (value is null)
            {
                continue;
            }

            try
            {
                bind(new SingleSetting(path, key, value), new T());
            }
            catch (InvalidOperationException)
            {
                failures.Add($"{key} has a value that cannot be converted to the type of that setting (a number, a time span such as 00:05:00, true/false or one of the documented names); see the configuration reference.");
            }
        }

        if (failures.Count == 0)
        {
            failures.Add($"{(path.Length == 0 ? "The configuration" : path)} cannot be bound to {typeof(T).Name}: a value does not fit its setting; see the configuration reference.");
        }

        return failures;
    }

    /// <summary>A configuration tree holding one setting only, viewed from <c>path</c>.</summary>
    private sealed class SingleSetting(string path, string settingPath, string settingValue) : IConfigurationSection
    {
        private static readonly IChangeToken NeverChanges = new CancellationChangeToken(CancellationToken.None);

        public string Key => ConfigurationPath.GetSectionKey(path);

        public string Path => path;

        public string? Value
        {
            get => string.Equals(path, settingPath, StringComparison.OrdinalIgnoreCase) ? settingValue : null;
            set => throw new NotSupportedException();
        }

        public string? this[string key]
        {
            get => GetSection(key).Value;
            set => throw new NotSupportedException();
        }

        public IConfigurationSection GetSection(string key) =>
            new SingleSetting(path.Length == 0 ? key : ConfigurationPath.Combine(path, key), settingPath, settingValue);

        public IEnumerable<IConfigurationSection> GetChildren()
        {
            var prefix = path.Length == 0 ? string.Empty : path + ConfigurationPath.KeyDelimiter;
            if (settingPath.Length > prefix.Length && settingPath.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                var rest = settingPath[prefix.Length..];
                var end = rest.IndexOf(ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);
                return [GetSection(end < 0 ? rest : rest[..end])];
            }

            return [];
        }

        public IChangeToken GetReloadToken() => NeverChanges;
    }
}
