# Stand-in for Logstash core (see ../../README.md).
require "logstash/namespace"
require "logstash/util/loggable"
require "logstash/event"

module LogStash
  module Filters
    class Base
      include LogStash::Util::Loggable

      def self.config_name(name = nil)
        @config_name = name if name
        @config_name
      end

      def self.config(name, opts = {})
        (@config ||= {})[name.to_s] = opts
      end

      def self.config_options
        @config || {}
      end

      # As Logstash does: every declared option becomes an instance variable,
      # from the pipeline's params or the option's default; unknown ones are
      # refused.
      def initialize(params = {})
        @logger = logger
        params.each_key do |k|
          raise ArgumentError, "unknown setting #{k} for #{self.class.config_name}" unless
            self.class.config_options.key?(k.to_s)
        end
        self.class.config_options.each do |name, opts|
          value = params.key?(name) ? params[name] : opts[:default]
          value = value.dup if value.is_a?(Hash) || value.is_a?(Array)
          instance_variable_set("@#{name}", value)
        end
      end

      def filter_matched(_event); end
    end
  end
end
