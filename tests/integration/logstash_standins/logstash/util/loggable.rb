# Stand-in for Logstash core (see ../../README.md).
require "logstash/namespace"

module LogStash
  module Util
    # Collects log lines; warn and above also go to stderr.
    class StandInLogger
      attr_reader :lines

      def initialize
        @lines = []
        @mutex = Mutex.new
      end

      %i[trace debug info warn error fatal].each do |level|
        define_method(level) do |message, details = {}|
          line = "#{level.upcase} #{message} #{details.inspect}"
          @mutex.synchronize { @lines << line }
          $stderr.puts(line) if %i[warn error fatal].include?(level)
        end
      end
    end

    LOGGER = StandInLogger.new

    module Loggable
      def logger
        LOGGER
      end

      def self.included(base)
        base.extend(self)
      end
    end
  end
end
